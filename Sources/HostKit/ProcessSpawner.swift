import Foundation
import Synchronization

/// Spawns a child process with a clean slate and waits for it.
///
/// Foundation's `Process` passes on whatever the daemon's signal handling set up (Hummingbird's
/// service lifecycle ignores SIGTERM and SIGINT to catch them itself), and ignored signals survive
/// `exec`: a QEMU launched that way would ignore SIGTERM. It would also inherit every descriptor the
/// daemon has open (the API socket, the database). So children get default signal dispositions, an
/// empty signal mask and only stdin/stdout/stderr.
public enum ProcessSpawner {
    /// Runs `argv` (argv[0] is an absolute path) with stdin from /dev/null and stdout and stderr to
    /// `outputPath` (appended), and returns its exit status once it exits.
    public static func run(_ argv: [String], outputPath: String) async throws -> Int32 {
        await reap(try spawn(argv, outputPath: outputPath))
    }

    /// Runs `argv` with stdin from `inputPath` (else /dev/null), stdout and stderr to files of their
    /// own (created or truncated), in `environment` (else this process's), and returns its exit status.
    /// Files rather than pipes: a daemon the child starts may keep them open after the child exits.
    public static func run(
        _ argv: [String], environment: [String: String]? = nil, inputPath: String? = nil, stdoutPath: String, stderrPath: String
    ) async throws -> Int32 {
        let pid = try spawn(argv, ownProcessGroup: false, environment: environment) { actions in
            posix_spawn_file_actions_addopen(&actions, 0, inputPath ?? "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        return await reap(pid)
    }

    /// Waits for `pid` to exit and returns its status. waitpid blocks, so it gets a thread of its own
    /// rather than a cooperative-pool thread.
    private static func reap(_ pid: pid_t) async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: waitForExit(pid))
            }
        }
    }

    /// Like `run`, but kills the child and returns nil if it has not exited within `timeout`.
    public static func run(_ argv: [String], outputPath: String, timeout: Duration) async throws -> Int32? {
        let pid = try spawn(argv, outputPath: outputPath)
        // The child is reaped only after `exited` is set under the lock the killer checks, so the
        // killer can never signal a pid that has been reaped and reused.
        let state = ExitState()
        let killer = Task {
            try await Task.sleep(for: timeout)
            state.flags.withLock { flags in
                guard !flags.exited else { return }
                flags.killed = true
                _ = Glibc.kill(pid, SIGKILL)
            }
        }
        let status = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var info = siginfo_t()
                while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
                state.flags.withLock { $0.exited = true }
                continuation.resume(returning: waitForExit(pid))
            }
        }
        killer.cancel()
        return state.flags.withLock { $0.killed } ? nil : status
    }

    /// Whether a timed child has exited (not yet reaped) and whether it was killed for its timeout.
    private final class ExitState: Sendable {
        let flags = Mutex((exited: false, killed: false))
    }

    static func spawn(_ argv: [String], outputPath: String) throws -> pid_t {
        try spawn(argv, ownProcessGroup: false) { actions in
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
    }

    /// Spawns `argv` with default signals, an empty mask and only the descriptors 0, 1 and 2 that
    /// `redirect` sets up, in `environment` (else this process's). With `ownProcessGroup` the child
    /// leads a new process group, so signalling `-pid` reaches whatever it started too.
    static func spawn(
        _ argv: [String], ownProcessGroup: Bool, environment: [String: String]? = nil,
        redirect: (inout posix_spawn_file_actions_t) -> Void
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        redirect(&actions)
        closeInheritedDescriptors(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if ownProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for arg in cArgs { free(arg) } }
        var cEnvironment: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for entry in cEnvironment ?? [] { free(entry) } }
        var pid: pid_t = 0
        let result: Int32
        if cEnvironment != nil {
            result = posix_spawn(&pid, argv[0], &actions, &attributes, &cArgs, &cEnvironment!)
        } else {
            result = posix_spawn(&pid, argv[0], &actions, &attributes, &cArgs, environ)
        }
        guard result == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL)
        }
        return pid
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module does not
    /// export, looked up at run time.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            return nil
        }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    /// Keeps the daemon's descriptors (API socket, database, QMP connections) out of the child.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let addCloseFrom {
            _ = addCloseFrom(&actions, 3)
            return
        }
        // Older glibc: close what is open now. Descriptors opened later are close-on-exec in Swift's I/O.
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap(Int32.init) where fd > 2 && fcntl(fd, F_GETFD) >= 0 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
    }

    /// Reaps `pid` and returns its exit status (128 + signal when killed).
    static func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}
