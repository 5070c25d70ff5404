import Foundation
import HostKit
import JoistCore

/// A running dnsmasq that Joist started for one network, found through its pid file.
///
/// dnsmasq daemonizes, so Joist is not its parent and knows it only by the pid it writes. A pid
/// file outlives its process and the pid may since belong to anyone, so the process counts as
/// Joist's only while `/proc/PID/cmdline` is dnsmasq with this network's `--conf-file=`: nothing
/// else is ever signalled. A zombie's cmdline is empty, so an exited dnsmasq that its new parent
/// has not reaped yet counts as gone for signalling; stopping waits until it is a zombie.
struct DnsmasqProcess: Sendable, Equatable {
    let pid: pid_t
    let paths: DnsmasqPaths

    /// The argument Joist starts dnsmasq with and recognises it by.
    static func confFileArgument(_ paths: DnsmasqPaths) -> String { "--conf-file=" + paths.config }

    /// The dnsmasq running with `paths.config`, or nil when none does.
    static func running(_ paths: DnsmasqPaths) -> DnsmasqProcess? {
        guard let text = NetworkFiles.read(paths.pidFile),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0
        else { return nil }
        let process = DnsmasqProcess(pid: pid, paths: paths)
        return process.isRunning ? process : nil
    }

    /// Whether the pid still names this network's dnsmasq.
    var isRunning: Bool {
        let arguments = Self.commandLine(pid)
        guard let program = arguments.first, program == "dnsmasq" || program.hasSuffix("/dnsmasq") else { return false }
        return arguments.contains(Self.confFileArgument(paths))
    }

    /// Sends `signal` if the process is still this network's dnsmasq; returns whether it did.
    @discardableResult
    func send(_ signal: Int32) -> Bool {
        guard isRunning else { return false }
        return kill(pid, signal) == 0
    }

    /// SIGTERM, then SIGKILL once `grace` has passed; returns when the process is gone, or throws
    /// when even SIGKILL did not end it within `grace`.
    func stop(grace: Duration = .seconds(5)) async throws {
        guard send(SIGTERM) else { return }
        if try await waitUntilGone(grace) { return }
        send(SIGKILL)
        guard try await waitUntilGone(grace) else {
            throw JoistError.hostFailure("dnsmasq (pid \(pid)) for \(paths.directory) did not exit after SIGTERM and SIGKILL")
        }
    }

    /// Polls until the process has exited; returns false when it is still there after `limit`.
    /// Its cmdline empties before its sockets close (the kernel drops a dying process's memory
    /// first), so "gone" is `HostProcess`'s: a zombie or no process at all. Only then may a new
    /// dnsmasq bind the same addresses.
    private func waitUntilGone(_ limit: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while HostProcess.isAlive(pid, nameHint: nil) {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// The process's arguments from `/proc/PID/cmdline` (NUL-separated); empty when it is gone or a
    /// zombie.
    static func commandLine(_ pid: pid_t) -> [String] {
        (KernelFile.bytes("/proc/\(pid)/cmdline") ?? []).split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }
}
