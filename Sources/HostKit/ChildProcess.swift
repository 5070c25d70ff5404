import Foundation
import Synchronization

/// A spawned child that leads its own process group: reaped once, and terminated on request without
/// ever signalling a pid that was already reaped (and so might belong to someone else now).
final class ChildProcess: Sendable {
    let pid: pid_t
    /// `exited`: the child has exited and is about to be reaped, so it must no longer be signalled.
    /// `terminated`: `terminate` signalled it.
    private let state = Mutex((exited: false, terminated: false))

    init(pid: pid_t) {
        self.pid = pid
    }

    /// Whether `terminate` signalled the child before it exited.
    var wasTerminated: Bool { state.withLock { $0.terminated } }

    /// Waits for the child to exit, marks it so no signal reaches its reused pid, then reaps it and
    /// returns its exit status. Blocks: call it off the cooperative pool.
    func reap() -> Int32 {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
        state.withLock { $0.exited = true }
        return ProcessSpawner.waitForExit(pid)
    }

    /// Sends SIGTERM to the child's process group, and SIGKILL if the child is still there after `grace`.
    func terminate(grace: Duration) {
        guard signal(SIGTERM) else { return }
        Task.detached { [self] in
            try? await Task.sleep(for: grace)
            _ = signal(SIGKILL)
        }
    }

    /// Signals the process group while its leader has not exited; returns whether it did.
    private func signal(_ signal: Int32) -> Bool {
        state.withLock { state in
            guard !state.exited else { return false }
            state.terminated = true
            // The group, not just the leader: a shell script's own children must go too.
            _ = Glibc.kill(-pid, signal)
            return true
        }
    }
}
