import Foundation
import HostKit

/// The outcome of running a command to completion.
public struct CommandResult: Sendable, CustomStringConvertible {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public var succeeded: Bool { status == 0 }
    public var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

/// Runs host commands for tests and benchmarks, capturing output through temporary files.
///
/// Files rather than pipes: a daemonized QEMU launched by a daemon under test may inherit descriptors,
/// and a pipe held open by a grandchild would make waiting for EOF hang. Children start as the
/// daemon's do (`ProcessSpawner`): default signal handling and an empty signal mask. Foundation's
/// `Process` would pass on the mask of the test's worker thread, which blocks nearly every signal, so
/// a helper script's own `timeout` or `kill` would not reach its children.
public enum CommandRunner {
    /// Runs `executable` (an absolute path); `input` (else nothing) is its standard input, read from a file.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, input: Data? = nil
    ) async throws -> CommandResult {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("joist-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outPath = dir.appendingPathComponent("out").path
        let errPath = dir.appendingPathComponent("err").path
        var inPath: String?
        if let input {
            inPath = dir.appendingPathComponent("in").path
            try input.write(to: URL(fileURLWithPath: inPath!))
        }
        let status = try await ProcessSpawner.run(
            [executable] + arguments, environment: environment, inputPath: inPath, stdoutPath: outPath, stderrPath: errPath)
        return CommandResult(
            status: status,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}
