import Foundation
import JoistTesting

/// The host commands the storage benchmarks run (`qemu-img`, `qemu-io`, `sync`, the `joist` CLI),
/// each checked: a failed command ends the benchmark with its output rather than counting as fast.
///
/// Every timed command on either side of a comparison goes through `CommandRunner`, so both sides
/// pay the same process start-up.
enum HostTools {
    static let qemuImg = "/usr/bin/qemu-img"
    static let qemuIO = "/usr/bin/qemu-io"

    /// Runs `executable` and throws unless it exits 0.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) async throws -> CommandResult {
        let result = try await CommandRunner.run(executable, arguments)
        guard result.succeeded else {
            throw BenchError("\(executable) \(arguments.joined(separator: " ")) failed: \(result)")
        }
        return result
    }

    /// Runs `joist ARGS…` against `joist` and throws unless it exits 0.
    @discardableResult
    static func cli(_ joist: DaemonHarness, _ arguments: [String]) async throws -> CommandResult {
        let result = try await joist.cli(arguments)
        guard result.succeeded else { throw BenchError("joist \(arguments.joined(separator: " ")) failed: \(result)") }
        return result
    }

    /// Writes every dirty page back, so no side of a comparison pays for the writes of the one before.
    static func sync() async throws {
        try await run("/bin/sync", [])
    }

    /// Seconds one checked command takes, start-up included.
    static func timedRun(_ executable: String, _ arguments: [String]) async throws -> Double {
        try await timed { try await run(executable, arguments) }
    }
}
