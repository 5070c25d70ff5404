import Foundation

/// A child process started with an empty signal mask and default signal handlers.
///
/// Foundation's `Process` passes on the spawning thread's signal mask, and the test runner's threads
/// block SIGINT and SIGTERM: a child started that way never sees Ctrl-C or a polite kill. Tests that
/// send signals start their children here instead.
final class SpawnedProcess: @unchecked Sendable {
    // @unchecked: `status` is only touched from the test that owns the process, never concurrently.
    let pid: pid_t
    private var status: Int32?

    /// Runs `argv` (argv[0] an absolute path) with stdin from /dev/null and stdout (and stderr) to
    /// `output`, or /dev/null.
    init(_ argv: [String], output: String = "/dev/null") throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid = pid_t()
        let arguments = argv.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        let result = posix_spawn(&pid, argv[0], &actions, &attributes, arguments, environ)
        guard result == 0 else { throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(result))]) }
        self.pid = pid
    }

    /// The exit status (128 + signal when killed) once it has ended; nil while it runs.
    var exitStatus: Int32? {
        if status == nil {
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid {
                status = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
            }
        }
        return status
    }

    /// Waits until it has ended, at most `timeout`; returns its exit status, or nil if it still runs.
    func waitForExit(timeout: Duration = .seconds(30)) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while exitStatus == nil && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return exitStatus
    }

    /// SIGKILL, then reaps it.
    func kill() async {
        guard exitStatus == nil else { return }
        Glibc.kill(pid, SIGKILL)
        _ = await waitForExit()
    }
}
