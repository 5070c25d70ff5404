import ArgumentParser
import Foundation
import JoistAPI
import Yams

/// How listings and details are printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, yaml, csv

    /// Renders any encodable value as JSON (pretty, sorted keys) or YAML.
    static func structured(_ value: some Encodable, as format: OutputFormat) throws -> String {
        switch format {
        case .yaml:
            return try YAMLEncoder().encode(value)
        default:
            let encoder = APICoding.encoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
        }
    }
}

/// A table of strings rendered as aligned columns or CSV.
struct Table {
    var headers: [String]
    var rows: [[String]]

    /// Space-aligned columns, the way `incus list` users expect to scan them.
    func aligned() -> String {
        let widths = headers.indices.map { column in
            ([headers[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// RFC 4180 CSV: fields with commas, quotes or newlines are quoted.
    func csv() -> String {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        return ([headers] + rows).map { $0.map(field).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }
}

/// Short human forms of durations and optional values.
enum Human {
    static func duration(_ seconds: TimeInterval) -> String {
        let s = Int(seconds)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(s % 60)s" }
        if s < 86400 { return "\(s / 3600)h\((s % 3600) / 60)m" }
        return "\(s / 86400)d\((s % 86400) / 3600)h"
    }
}
