import Foundation
import JoistCore

/// Runs a host tool (`qemu-img`, `btrfs`, …) to completion and captures what it printed.
///
/// The child starts with the same clean slate as `ProcessSpawner` (default signals, no inherited
/// descriptors) and leads a process group of its own. Cancelling the calling task terminates that
/// group: SIGTERM, then SIGKILL once `terminationGrace` has passed, and `run` throws
/// `CancellationError`. Output is kept bounded (the last `outputLimit` bytes of each stream), so a
/// chatty tool cannot grow the daemon's memory.
public struct HostCommand: Sendable {
    /// Where `locate` looks, in order: a fixed list, so what runs does not depend on the caller's PATH.
    public static let searchPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    /// The executable (an absolute path) and its arguments.
    public var argv: [String]
    /// Bytes of stdout and of stderr kept, each (the end of the stream).
    public var outputLimit: Int
    /// How long a cancelled child gets between SIGTERM and SIGKILL.
    public var terminationGrace: Duration
    /// A file the child reads as its stdin (`sfdisk`'s script); `/dev/null` when nil.
    public var input: String?

    public init(
        _ executable: String, _ arguments: [String], outputLimit: Int = 64 << 10, terminationGrace: Duration = .seconds(2)
    ) {
        self.argv = [executable] + arguments
        self.outputLimit = outputLimit
        self.terminationGrace = terminationGrace
    }

    /// The absolute path of the executable `name` in `directories`, or nil when none has it.
    public static func locate(_ name: String, in directories: [String] = searchPath) -> String? {
        guard !name.isEmpty, !name.contains("/") else { return nil }
        for directory in directories {
            let candidate = directory + "/" + name
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// Runs the command and returns its exit status and output, whatever the status.
    ///
    /// `onStdout` receives stdout as it arrives, in chunks as the pipe delivers them (a line may be
    /// split across chunks), on a thread of its own. Throws `hostFailure` when the executable cannot
    /// be started and `CancellationError` when the calling task was cancelled while it ran.
    public func run(onStdout: (@Sendable ([UInt8]) -> Void)? = nil) async throws -> Output {
        try Task.checkCancellation()
        let pipes = try OutputPipes()
        let child: ChildProcess
        do {
            child = ChildProcess(pid: try spawn(pipes))
        } catch {
            pipes.closeAll()
            let reason = (error as? POSIXError).map { String(cString: strerror($0.code.rawValue)) } ?? "\(error)"
            throw JoistError.hostFailure("cannot run \(argv[0]): \(reason)")
        }
        pipes.closeWriteEnds()
        let limit = outputLimit
        let output = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // Reading and waitpid block, so they get a thread of their own rather than a
                // cooperative-pool thread.
                Thread.detachNewThread {
                    let streams = pipes.drain(limit: limit, onStdout: onStdout)
                    let status = child.reap()
                    continuation.resume(returning: Output(status: status, stdout: streams.stdout, stderr: streams.stderr))
                }
            }
        } onCancel: {
            child.terminate(grace: terminationGrace)
        }
        if child.wasTerminated { throw CancellationError() }
        return output
    }

    /// Runs the command and returns its output when it exits with status 0; otherwise throws
    /// `hostFailure("<what> failed: <the end of its stderr>")`.
    ///
    /// Never inlined: Swift 6.3.1's optimizer crashes (LLVM coroutine splitting, swifterror) when this
    /// body is inlined into async callers in other modules, which stopped release builds.
    @discardableResult
    @inline(never)
    public func check(_ what: String, onStdout: (@Sendable ([UInt8]) -> Void)? = nil) async throws -> Output {
        try await run(onStdout: onStdout).check(what)
    }

    private func spawn(_ pipes: OutputPipes) throws -> pid_t {
        try ProcessSpawner.spawn(argv, ownProcessGroup: true) { actions in
            posix_spawn_file_actions_addopen(&actions, 0, input ?? "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, pipes.stdout.write, 1)
            posix_spawn_file_actions_adddup2(&actions, pipes.stderr.write, 2)
        }
    }
}
