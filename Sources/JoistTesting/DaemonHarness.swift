import Foundation

/// A private `joistd` with its own state directory and socket, driven through the real `joist` CLI.
///
/// Everything it starts is cleaned up by `shutdown()`: the daemon, every QEMU it launched (found by the
/// pid files under the state directory, so guests that outlived a killed daemon are found too), and the
/// directory itself.
public final class DaemonHarness: @unchecked Sendable {
    // @unchecked: `daemon` is only touched from the test that owns the harness, never concurrently.
    public let stateDirectory: String
    public let socketPath: String
    /// Extra joistd arguments, e.g. `["--listen", "127.0.0.1:0"]`.
    public let extraArguments: [String]
    private var daemon: Process?

    /// Creates a short state directory (Unix socket paths are limited to 107 bytes) under `parent`
    /// and starts joistd. `listen` also serves the API on TLS at 127.0.0.1 on a free port (see
    /// `httpsAddress`).
    public init(listen: Bool = false, parent: String = "/tmp") async throws {
        extraArguments = listen ? ["--listen", "127.0.0.1:0"] : []
        let template = parent + "/jt-XXXXXX"
        var buffer = Array(template.utf8CString)
        guard let made = mkdtemp(&buffer) else { throw TestSetupError("mkdtemp failed") }
        stateDirectory = String(cString: made)
        socketPath = stateDirectory + "/joist.sock"
        try await start()
    }

    /// `127.0.0.1:PORT` of the TLS listener, once it listens (when started with `listen`).
    public var httpsAddress: String? {
        (try? String(contentsOfFile: stateDirectory + "/https-address", encoding: .utf8))
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The running daemon's pid.
    public var daemonPID: Int32? { daemon?.processIdentifier }

    public var joistd: String { RepositoryPaths.binaries + "/joistd" }
    public var joist: String { RepositoryPaths.binaries + "/joist" }

    /// Starts joistd and waits until it answers.
    public func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: joistd)
        process.arguments = ["--state-dir", stateDirectory, "--socket", socketPath, "--log-level", "debug"] + extraArguments
        let log = stateDirectory + "/joistd.log"
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.seekToEnd()
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? handle.close()
        daemon = process
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if try await cli(["list"]).succeeded, extraArguments.isEmpty || httpsAddress != nil { return }
            guard process.isRunning else { throw TestSetupError("joistd exited: \(daemonLog())") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSetupError("joistd did not answer within 30 s: \(daemonLog())")
    }

    /// `kill -9` of the daemon: guests must survive it.
    public func killDaemon() async {
        guard let daemon else { return }
        kill(daemon.processIdentifier, SIGKILL)
        daemon.waitUntilExit()
        self.daemon = nil
    }

    /// Runs `joist ARGS…` against this daemon.
    public func cli(_ arguments: [String]) async throws -> CommandResult {
        try await CommandRunner.run(joist, ["--socket", socketPath] + arguments)
    }

    /// The daemon's log, for failure messages.
    public func daemonLog() -> String {
        (try? String(contentsOfFile: stateDirectory + "/joistd.log", encoding: .utf8)) ?? ""
    }

    /// Pids of every QEMU this daemon's state directory knows, alive or not.
    public func qemuPIDs() -> [Int32] {
        let instances = stateDirectory + "/instances"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: instances)) ?? []
        return names.compactMap { name in
            (try? String(contentsOfFile: "\(instances)/\(name)/qemu.pid", encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
    }

    /// Stops the daemon, kills every QEMU it started and removes the state directory.
    public func shutdown() async {
        if let daemon {
            kill(daemon.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while daemon.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) }
            self.daemon = nil
        }
        for pid in qemuPIDs() { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: stateDirectory)
    }
}

extension DaemonHarness {
    /// Runs `body` against a fresh daemon and always cleans up after it, even when it throws.
    public static func with(
        isolation: isolated (any Actor)? = #isolation, listen: Bool = false, parent: String = "/tmp",
        _ body: (DaemonHarness) async throws -> Void
    ) async throws {
        let harness = try await DaemonHarness(listen: listen, parent: parent)
        do {
            try await body(harness)
        } catch {
            await harness.shutdown()
            throw error
        }
        await harness.shutdown()
    }
}
