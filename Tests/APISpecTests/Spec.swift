import Foundation
import JoistAPI
import JoistTesting

/// The repository's `openapi.yaml`, found from this file's location.
enum Spec {
    /// The repository root: the nearest directory above this file that holds `openapi.yaml`.
    ///
    /// Symlinks are resolved first, so the tests also find it when built from a package that links
    /// these sources in.
    static let root: URL? = {
        var directory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("openapi.yaml").path) {
                return directory
            }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    static func path(_ relative: String) throws -> String {
        guard let root else { throw SpecNotFound() }
        return root.appendingPathComponent(relative).path
    }

    /// The parsed document, read once for the whole run.
    static func document() throws -> OpenAPIDocument { try loaded.get() }

    private static let loaded = Result { try OpenAPIDocument(contentsOf: path("openapi.yaml")) }

    /// Encodes `value` as the API does and reads it back as JSONSerialization's objects.
    static func json(_ value: some Encodable) throws -> Any {
        try JSONSerialization.jsonObject(with: APICoding.encoder().encode(value), options: [.fragmentsAllowed])
    }

    /// Parses a JSON literal written in a test.
    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    struct SpecNotFound: Error, CustomStringConvertible {
        var description: String { "openapi.yaml not found above \(#filePath)" }
    }
}
