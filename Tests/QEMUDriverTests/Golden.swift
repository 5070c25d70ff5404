import Foundation
import Testing

/// Golden files: generated text pinned in `Golden/NAME` (argv one argument per line, hot-plug plans
/// one step per line). Run with `JOIST_UPDATE_GOLDEN=1` to rewrite them after an intended change,
/// and review the diff.
enum Golden {
    static func check(_ name: String, _ lines: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
        let actual = lines.joined(separator: "\n") + "\n"
        if ProcessInfo.processInfo.environment["JOIST_UPDATE_GOLDEN"] != nil {
            try actual.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "\(name) differs from \(url.path)", sourceLocation: sourceLocation)
    }
}
