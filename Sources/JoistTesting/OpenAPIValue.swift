import Foundation
import Yams

/// A JSON value as the OpenAPI validator sees it; the document and the values it checks share this form.
///
/// Converting once up front keeps the validator free of `Any` casts, and makes the document `Sendable`.
enum OpenAPIValue: Sendable, Equatable {
    case object([String: OpenAPIValue])
    case array([OpenAPIValue])
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case null

    subscript(key: String) -> OpenAPIValue? {
        if case .object(let members) = self { members[key] } else { nil }
    }

    var object: [String: OpenAPIValue]? {
        if case .object(let members) = self { members } else { nil }
    }

    var array: [OpenAPIValue]? {
        if case .array(let elements) = self { elements } else { nil }
    }

    var string: String? {
        if case .string(let text) = self { text } else { nil }
    }

    var bool: Bool? {
        if case .bool(let flag) = self { flag } else { nil }
    }

    /// The value of an integer or a number.
    var double: Double? {
        switch self {
        case .integer(let n): Double(n)
        case .number(let x): x
        default: nil
        }
    }

    /// The JSON Schema type name of the value, as used by `type` and in messages.
    var typeName: String {
        switch self {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .integer: "integer"
        case .number: "number"
        case .bool: "boolean"
        case .null: "null"
        }
    }

    /// Equality as `enum` compares: `1` and `1.0` are the same number.
    func isSameValue(as other: OpenAPIValue) -> Bool {
        if let a = double, let b = other.double { return a == b }
        return self == other
    }

    /// A short rendering for messages.
    var summary: String {
        switch self {
        case .string(let text): "\"\(text)\""
        case .integer(let n): "\(n)"
        case .number(let x): "\(x)"
        case .bool(let flag): "\(flag)"
        case .null: "null"
        case .object: "an object"
        case .array: "an array"
        }
    }
}

/// A problem reading the document itself (not a validation failure of a value).
public struct OpenAPIDocumentError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension OpenAPIValue {
    /// Plain YAML scalars resolve to booleans, integers, floats and null; dates stay strings (as in JSON).
    static let resolver = Resolver.basic.appending(.bool).appending(.int).appending(.float).appending(.null)

    /// Converts a composed YAML node.
    init(node: Node, path: String = "$") throws(OpenAPIDocumentError) {
        switch node {
        case .scalar(let scalar):
            self = Self.scalar(scalar.string, tag: node.tag.description, node: node)
        case .mapping(let mapping):
            var members: [String: OpenAPIValue] = [:]
            for (key, value) in mapping {
                guard let name = key.scalar?.string else {
                    throw OpenAPIDocumentError("\(path): mapping keys must be scalars")
                }
                members[name] = try OpenAPIValue(node: value, path: "\(path).\(name)")
            }
            self = .object(members)
        case .sequence(let sequence):
            var elements: [OpenAPIValue] = []
            for (index, element) in sequence.enumerated() {
                elements.append(try OpenAPIValue(node: element, path: "\(path)[\(index)]"))
            }
            self = .array(elements)
        case .alias:
            throw OpenAPIDocumentError("\(path): YAML aliases are not supported")
        }
    }

    private static func scalar(_ text: String, tag: String, node: Node) -> OpenAPIValue {
        switch tag {
        case Tag.Name.null.rawValue: return .null
        case Tag.Name.bool.rawValue: return node.bool.map(OpenAPIValue.bool) ?? .string(text)
        case Tag.Name.int.rawValue: return node.int.map { .integer(Int64($0)) } ?? .string(text)
        case Tag.Name.float.rawValue: return node.float.map(OpenAPIValue.number) ?? .string(text)
        default: return .string(text)
        }
    }

    /// Converts what `JSONSerialization.jsonObject(with:)` returns (or the same shapes built in Swift).
    ///
    /// JSONSerialization boxes booleans and numbers alike as `NSNumber`, and on Linux `1 as? Bool`
    /// succeeds, so booleans are told apart by their class: they are the same class as `NSNumber(value: true)`.
    init(jsonObject value: Any, path: String = "$") throws(OpenAPIDocumentError) {
        switch value {
        case is NSNull:
            self = .null
        case let text as String:
            self = .string(text)
        case let number as NSNumber:
            self = Self.number(number, native: value)
        case let members as [String: Any]:
            var object: [String: OpenAPIValue] = [:]
            for (key, member) in members {
                object[key] = try OpenAPIValue(jsonObject: member, path: "\(path).\(key)")
            }
            self = .object(object)
        case let elements as [Any]:
            var array: [OpenAPIValue] = []
            for (index, element) in elements.enumerated() {
                array.append(try OpenAPIValue(jsonObject: element, path: "\(path)[\(index)]"))
            }
            self = .array(array)
        default:
            throw OpenAPIDocumentError("\(path): \(type(of: value)) is not a JSON value")
        }
    }

    private static let booleanClass = ObjectIdentifier(type(of: NSNumber(value: true)))
    private static let integerTypes: Set<String> = ["c", "C", "s", "S", "i", "I", "l", "L", "q", "Q"]

    private static func number(_ number: NSNumber, native: Any) -> OpenAPIValue {
        if type(of: native) == Bool.self || ObjectIdentifier(type(of: number)) == booleanClass {
            return .bool(number.boolValue)
        }
        if type(of: native) == Double.self || type(of: native) == Float.self {
            return fractional(number.doubleValue)
        }
        let objCType = String(cString: number.objCType)
        if integerTypes.contains(objCType) {
            // Beyond Int64 only UInt64 remains; it is still a whole number.
            return objCType == "Q" && number.uint64Value > UInt64(Int64.max)
                ? .number(number.doubleValue) : .integer(number.int64Value)
        }
        return fractional(number.doubleValue)
    }

    /// JSON Schema counts a number with a zero fraction (`2.0`) as an integer.
    private static func fractional(_ x: Double) -> OpenAPIValue {
        if x.rounded() == x, abs(x) < 9.2e18 { return .integer(Int64(x)) }
        return .number(x)
    }
}
