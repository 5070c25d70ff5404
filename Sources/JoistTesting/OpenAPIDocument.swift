import Foundation
import Yams

/// An OpenAPI 3.0 document loaded for tests: lists its operations and validates values and responses
/// against its schemas.
///
/// Errors come back as strings that start with a JSON path (`$.config.memory: expected string, got
/// integer`), so a failing `#expect` says what is wrong and where.
public struct OpenAPIDocument: Sendable {
    private let root: OpenAPIValue
    private var validator: OpenAPISchemaValidator { OpenAPISchemaValidator(root: root) }

    private static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// Parses the document from YAML (JSON is YAML too).
    public init(yaml: String) throws {
        guard let node = try Yams.compose(yaml: yaml, OpenAPIValue.resolver) else {
            throw OpenAPIDocumentError("the OpenAPI document is empty")
        }
        let root = try OpenAPIValue(node: node)
        guard root["openapi"]?.string?.hasPrefix("3.") == true, root["paths"]?.object != nil else {
            throw OpenAPIDocumentError("not an OpenAPI 3 document: 'openapi: 3.x' and 'paths' are required")
        }
        self.root = root
    }

    /// Reads and parses the document at `path`.
    public init(contentsOf path: String) throws {
        try self.init(yaml: String(contentsOfFile: path, encoding: .utf8))
    }

    /// Every operation, as an upper-case method and a path template, sorted by path then method.
    public var operations: [(method: String, path: String)] {
        let paths = root["paths"]?.object ?? [:]
        return paths.keys.sorted().flatMap { path in
            Self.methods.filter { paths[path]?[$0] != nil }.map { (method: $0.uppercased(), path: path) }
        }
    }

    /// The names under `components.schemas`, sorted.
    public var schemaNames: [String] {
        (root["components"]?["schemas"]?.object ?? [:]).keys.sorted()
    }

    /// Every `$ref` in the document that does not resolve, with where it is.
    public var unresolvedReferences: [String] {
        var problems: [String] = []
        collectReferences(in: root, at: "$", into: &problems)
        return problems
    }

    /// Problems with `json` (as returned by `JSONSerialization.jsonObject`) against
    /// `components.schemas[schemaName]`; empty when it is valid.
    public func validate(json: Any, against schemaName: String) -> [String] {
        guard let schema = root["components"]?["schemas"]?[schemaName] else {
            return ["no schema named '\(schemaName)' in components.schemas"]
        }
        do {
            return validator.validate(try OpenAPIValue(jsonObject: json), against: schema, at: "$")
        } catch {
            return [error.message]
        }
    }

    /// Problems with a response to `method path` (a template such as `/1.0/instances/{name}`): whether the
    /// status is documented, the content type is one the response declares, and a JSON body matches its
    /// schema. Empty when the response conforms.
    public func validateResponse(method: String, path: String, status: Int, body: Data, contentType: String?) -> [String] {
        let operationName = "\(method.uppercased()) \(path)"
        guard let operation = root["paths"]?[path]?[method.lowercased()] else {
            return ["\(operationName) is not in the document"]
        }
        guard let found = response(of: operation, status: status) else {
            return ["\(operationName): status \(status) is not documented"]
        }
        let declared = found["content"]?.object ?? [:]
        if declared.isEmpty {
            return body.isEmpty ? [] : ["\(operationName) \(status): expected no body, got \(body.count) bytes"]
        }
        let mediaType = contentType.map(Self.mediaType)
        guard let mediaType, let content = declared[mediaType] else {
            let expected = declared.keys.sorted().joined(separator: ", ")
            return ["\(operationName) \(status): content type \(contentType ?? "(none)") is not \(expected)"]
        }
        guard Self.isJSON(mediaType) else { return [] }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])
        } catch {
            return ["\(operationName) \(status): the body is not JSON: \(error)"]
        }
        guard let schema = content["schema"] else { return [] }
        do {
            let value = try OpenAPIValue(jsonObject: json)
            return validator.validate(value, against: schema, at: "$").map { "\(operationName) \(status): \($0)" }
        } catch {
            return ["\(operationName) \(status): \(error.message)"]
        }
    }

    /// The response object for `status`: the exact code, then its range (`4XX`), then `default`.
    private func response(of operation: OpenAPIValue, status: Int) -> OpenAPIValue? {
        let responses = operation["responses"]?.object ?? [:]
        let candidate = responses[String(status)] ?? responses["\(status / 100)XX"] ?? responses["default"]
        guard let candidate else { return nil }
        if let reference = candidate["$ref"]?.string { return validator.resolve(reference) }
        return candidate
    }

    /// `application/json; charset=utf-8` → `application/json`.
    private static func mediaType(_ contentType: String) -> String {
        let base = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return base.trimmingCharacters(in: .whitespaces).lowercased()
    }

    private static func isJSON(_ mediaType: String) -> Bool {
        mediaType == "application/json" || mediaType.hasSuffix("+json")
    }

    private func collectReferences(in value: OpenAPIValue, at path: String, into problems: inout [String]) {
        switch value {
        case .object(let members):
            if let reference = members["$ref"]?.string, validator.resolve(reference) == nil {
                problems.append("\(path): $ref \(reference) does not resolve")
            }
            for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                collectReferences(in: member, at: "\(path).\(key)", into: &problems)
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                collectReferences(in: element, at: "\(path)[\(index)]", into: &problems)
            }
        default:
            break
        }
    }
}
