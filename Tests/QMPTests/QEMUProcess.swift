import Foundation
import HostKit
import Glibc

/// A real QEMU started paused and daemonized with a QMP socket, for tests; `terminate()` kills it.
struct QEMUProcess {
    struct LaunchFailed: Error, CustomStringConvertible {
        let description: String
    }

    /// The emulator the tests use.
    static let binary = "qemu-system-x86_64"

    /// Whether the emulator is on `PATH`.
    static var isAvailable: Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(binary)") }
    }

    /// The instance's private directory (short, so the socket path fits a Unix socket address).
    let directory: String
    /// The QMP socket.
    var socketPath: String { directory + "/qmp.sock" }
    /// The daemonized QEMU's process id, read from its pidfile once it started.
    let pid: pid_t

    /// Starts `qemu-system-x86_64 -S -daemonize`; returns once QEMU has daemonized, when its QMP
    /// socket is listening.
    static func launch() throws -> QEMUProcess {
        let directory = "/tmp/joist-qemu-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        let pidfile = directory + "/qemu.pid"
        let logPath = directory + "/qemu.log"
        let arguments = [
            binary, "-machine", "q35", "-accel", "tcg", "-nodefaults", "-no-user-config", "-display", "none",
            "-S", "-daemonize", "-pidfile", pidfile, "-qmp", "unix:\(directory)/qmp.sock,server=on,wait=off",
        ]
        let status = try spawnAndWait(arguments, outputPath: logPath)
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        guard
            status == 0,
            let text = try? String(contentsOfFile: pidfile, encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            try? FileManager.default.removeItem(atPath: directory)
            throw LaunchFailed(description: "QEMU exited with status \(status): \(log)")
        }
        return QEMUProcess(directory: directory, pid: pid)
    }

    /// Runs `arguments` (looked up on `PATH`) with output to `outputPath`, and waits for it.
    ///
    /// posix_spawn rather than Foundation's `Process`: the daemonized QEMU must start with an empty
    /// signal mask and default handlers (it inherits the test runner's otherwise, and then ignores
    /// SIGTERM), and `Process.waitUntilExit` was seen to hang inside Swift Testing.
    private static func spawnAndWait(_ arguments: [String], outputPath: String) throws -> Int32 {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD] {
            sigaddset(&defaultSignals, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw LaunchFailed(description: "posix_spawnp failed: \(spawned)") }

        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw LaunchFailed(description: "waitpid failed: errno \(errno)") }
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import.
        return status & 0x7f == 0 ? (status >> 8) & 0xff : -1
    }

    /// Whether the QEMU process is still alive (and is still QEMU, not a reused pid).
    var isRunning: Bool {
        guard let cmdline = KernelFile.bytes("/proc/\(pid)/cmdline") else { return false }
        return String(decoding: cmdline, as: UTF8.self).contains(Self.binary)
    }

    /// Waits up to `timeout` for QEMU to exit; returns whether it did.
    func waitForExit(timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Kills QEMU if it still runs and removes its directory; safe to call in every outcome.
    func terminate() {
        if isRunning {
            kill(pid, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
