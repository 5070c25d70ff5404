import Foundation

/// Checks values against OpenAPI 3.0 schema objects, collecting every problem with its JSON path.
///
/// Supports `$ref` (local JSON pointers), `type`, `nullable`, `enum`, `required`, `properties`,
/// `additionalProperties` (bool or schema), `items`, `minItems`/`maxItems`, `minimum`/`maximum` (and the
/// 3.0 boolean `exclusiveMinimum`/`exclusiveMaximum`), `minLength`/`maxLength`, `pattern`, the formats
/// `date-time`, `uuid`, `int32` and `int64`, and `allOf`/`anyOf`/`oneOf`. Other keywords are ignored.
struct OpenAPISchemaValidator {
    /// The whole document, for resolving `$ref`.
    let root: OpenAPIValue

    /// Problems with `value` against `schema`; empty when it is valid.
    func validate(_ value: OpenAPIValue, against schema: OpenAPIValue, at path: String) -> [String] {
        guard case .object(let keywords) = schema else { return [] }
        if let reference = keywords["$ref"]?.string {
            // In OpenAPI 3.0 a `$ref` replaces its siblings.
            guard let target = resolve(reference) else { return ["\(path): unresolvable $ref \(reference)"] }
            return validate(value, against: target, at: path)
        }
        if value == .null, keywords["nullable"]?.bool == true { return [] }

        var errors = combinators(value, keywords, at: path)
        if let expected = keywords["type"]?.string, !Self.matches(value, type: expected) {
            errors.append("\(path): expected \(expected), got \(value.typeName)")
            return errors
        }
        if let allowed = keywords["enum"]?.array, !allowed.contains(where: { $0.isSameValue(as: value) }) {
            let list = allowed.map(\.summary).joined(separator: ", ")
            errors.append("\(path): \(value.summary) is not one of \(list)")
        }
        switch value {
        case .object(let members): errors += object(members, keywords, at: path)
        case .array(let elements): errors += array(elements, keywords, at: path)
        case .string(let text): errors += string(text, keywords, at: path)
        case .integer, .number: errors += number(value, keywords, at: path)
        case .bool, .null: break
        }
        return errors
    }

    /// Resolves a local reference such as `#/components/schemas/Instance` (JSON pointer escapes included).
    func resolve(_ reference: String) -> OpenAPIValue? {
        guard reference.hasPrefix("#") else { return nil }
        var node = root
        for token in reference.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch node {
            case .object(let members):
                guard let next = members[key] else { return nil }
                node = next
            case .array(let elements):
                guard let index = Int(key), elements.indices.contains(index) else { return nil }
                node = elements[index]
            default:
                return nil
            }
        }
        return node
    }

    static func matches(_ value: OpenAPIValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool),
            ("integer", .integer), ("number", .integer), ("number", .number):
            true
        default:
            false
        }
    }

    private func combinators(_ value: OpenAPIValue, _ keywords: [String: OpenAPIValue], at path: String) -> [String] {
        var errors: [String] = []
        for schema in keywords["allOf"]?.array ?? [] {
            errors += validate(value, against: schema, at: path)
        }
        if let choices = keywords["anyOf"]?.array {
            let outcomes = choices.map { validate(value, against: $0, at: path) }
            if !outcomes.contains(where: \.isEmpty) {
                errors.append("\(path): matches none of anyOf (\(Self.first(outcomes)))")
            }
        }
        if let choices = keywords["oneOf"]?.array {
            let outcomes = choices.map { validate(value, against: $0, at: path) }
            switch outcomes.filter(\.isEmpty).count {
            case 1: break
            case 0: errors.append("\(path): matches none of oneOf (\(Self.first(outcomes)))")
            case let n: errors.append("\(path): matches \(n) schemas of oneOf, expected exactly one")
            }
        }
        return errors
    }

    private static func first(_ outcomes: [[String]]) -> String {
        outcomes.compactMap(\.first).joined(separator: "; ")
    }

    private func object(_ members: [String: OpenAPIValue], _ keywords: [String: OpenAPIValue], at path: String) -> [String] {
        var errors: [String] = []
        for case .string(let name) in keywords["required"]?.array ?? [] where members[name] == nil {
            errors.append("\(path): missing required property '\(name)'")
        }
        let properties = keywords["properties"]?.object ?? [:]
        for (name, member) in members.sorted(by: { $0.key < $1.key }) {
            let memberPath = "\(path).\(name)"
            if let schema = properties[name] {
                errors += validate(member, against: schema, at: memberPath)
                continue
            }
            switch keywords["additionalProperties"] {
            case .bool(false)?: errors.append("\(path): unknown property '\(name)'")
            case .object(let schema)?: errors += validate(member, against: .object(schema), at: memberPath)
            default: break
            }
        }
        return errors
    }

    private func array(_ elements: [OpenAPIValue], _ keywords: [String: OpenAPIValue], at path: String) -> [String] {
        var errors: [String] = []
        if let least = keywords["minItems"]?.double, Double(elements.count) < least {
            errors.append("\(path): \(elements.count) items, fewer than minItems \(Int(least))")
        }
        if let most = keywords["maxItems"]?.double, Double(elements.count) > most {
            errors.append("\(path): \(elements.count) items, more than maxItems \(Int(most))")
        }
        if let schema = keywords["items"] {
            for (index, element) in elements.enumerated() {
                errors += validate(element, against: schema, at: "\(path)[\(index)]")
            }
        }
        return errors
    }

    private func string(_ text: String, _ keywords: [String: OpenAPIValue], at path: String) -> [String] {
        var errors: [String] = []
        // JSON Schema counts characters as code points.
        let length = Double(text.unicodeScalars.count)
        if let least = keywords["minLength"]?.double, length < least {
            errors.append("\(path): \"\(text)\" is shorter than minLength \(Int(least))")
        }
        if let most = keywords["maxLength"]?.double, length > most {
            errors.append("\(path): string is longer than maxLength \(Int(most))")
        }
        if let pattern = keywords["pattern"]?.string, !Self.matches(text, pattern: pattern) {
            errors.append("\(path): \"\(text)\" does not match pattern \(pattern)")
        }
        switch keywords["format"]?.string {
        case "date-time"? where OpenAPIFormats.date(from: text) == nil:
            errors.append("\(path): \"\(text)\" is not an RFC 3339 date-time")
        case "uuid"? where UUID(uuidString: text) == nil:
            errors.append("\(path): \"\(text)\" is not a UUID")
        default:
            break
        }
        return errors
    }

    private static func matches(_ text: String, pattern: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return regex.firstMatch(in: text, range: range) != nil
    }

    private func number(_ value: OpenAPIValue, _ keywords: [String: OpenAPIValue], at path: String) -> [String] {
        guard let x = value.double else { return [] }
        var errors: [String] = []
        if let least = keywords["minimum"]?.double {
            let exclusive = keywords["exclusiveMinimum"]?.bool == true
            if exclusive ? x <= least : x < least {
                errors.append("\(path): \(value.summary) is below the minimum \(least.formatted)")
            }
        }
        if let most = keywords["maximum"]?.double {
            let exclusive = keywords["exclusiveMaximum"]?.bool == true
            if exclusive ? x >= most : x > most {
                errors.append("\(path): \(value.summary) is above the maximum \(most.formatted)")
            }
        }
        if keywords["format"]?.string == "int32", x < Double(Int32.min) || x > Double(Int32.max) {
            errors.append("\(path): \(value.summary) does not fit int32")
        }
        return errors
    }
}

/// Parsers for the string formats the validator checks.
enum OpenAPIFormats {
    /// Parses an RFC 3339 date-time, with or without fractional seconds.
    static func date(from text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}

extension Double {
    /// `10000` rather than `10000.0` in messages.
    fileprivate var formatted: String {
        rounded() == self && abs(self) < 1e15 ? String(Int64(self)) : String(self)
    }
}
