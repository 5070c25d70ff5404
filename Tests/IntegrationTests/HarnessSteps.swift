import Foundation
import JoistTesting
import Testing

/// The steps integration tests take over and over: a `joist` command that must succeed, its JSON
/// answer, and a host tool that must succeed. A failure fails the test with the command's output.
extension DaemonHarness {
    /// Runs `joist ARGS…` and returns its stdout; the test stops unless it succeeded.
    @discardableResult
    func succeed(_ arguments: [String]) async throws -> String {
        let result = try await cli(arguments)
        try #require(result.succeeded, "joist \(arguments.joined(separator: " ")): \(result)")
        return result.stdout
    }

    /// Runs `joist ARGS…` (a `--format json` command) and returns the object it printed.
    func json(_ arguments: [String]) async throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(try await succeed(arguments).utf8)) as? [String: Any])
    }
}

/// Host tools the tests drive directly (qemu-img, qemu-io, xorriso, …).
enum HostTool {
    /// Runs `tool` (a name in /usr/bin, or an absolute path); the test stops unless it succeeded.
    static func run(_ tool: String, _ arguments: [String]) async throws {
        let result = try await CommandRunner.run(tool.hasPrefix("/") ? tool : "/usr/bin/" + tool, arguments)
        try #require(result.succeeded, "\(tool) \(arguments.joined(separator: " ")): \(result)")
    }
}
