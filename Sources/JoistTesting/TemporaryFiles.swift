import Foundation

/// A fresh directory under the system's temporary directory, removed after `body`.
public func withTemporaryDirectory<Result>(
    prefix: String = "joist-test", _ body: (String) async throws -> Result
) async throws -> Result {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// The permission bits of the file at `path`, e.g. 0o600.
public func permissions(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}
