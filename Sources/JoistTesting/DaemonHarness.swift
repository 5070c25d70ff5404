import Foundation

/// A private `joistd` with its own state directory and socket, driven through the real `joist` CLI.
///
/// The daemon runs in a network namespace of its own (`ip netns add`, with only `lo`): the bridges,
/// firewall table and dnsmasq of any network it creates, its TLS listener and its guests' user-mode
/// ports all stay there, and the host's interfaces are never touched. Commands that talk to it over
/// TCP run in the namespace too (`cli`, `run`).
///
/// Everything it starts is cleaned up by `shutdown()`: the daemon, every QEMU it launched (found by the
/// pid files under the state directory, so guests that outlived a killed daemon are found too), the
/// namespace with whatever was left in it, and the directory itself.
public final class DaemonHarness: @unchecked Sendable {
    // @unchecked: `daemon` is only touched from the test that owns the harness, never concurrently.
    public let stateDirectory: String
    public let socketPath: String
    /// Extra joistd arguments, e.g. `["--listen", "127.0.0.1:0"]`.
    public let extraArguments: [String]
    /// Whether the daemon also serves TLS (then `start` waits for its address too).
    private let listens: Bool
    /// The network namespace the daemon runs in; nil when it shares the host's (`privateNetwork: false`).
    public let networkNamespace: String?
    private var daemon: Process?

    /// Creates a short state directory (Unix socket paths are limited to 107 bytes) under `parent`
    /// and starts joistd. `listen` also serves the API on TLS at 127.0.0.1 on a free port (see
    /// `httpsAddress`).
    ///
    /// `privateNetwork: false` keeps the daemon in the host's network namespace, for benchmarks that
    /// reach its TLS port from this process; it must then never be asked to create networks.
    /// `arguments` are more joistd options (`["--metrics-interval", "1"]`).
    public init(listen: Bool = false, parent: String = "/tmp", privateNetwork: Bool = true, arguments: [String] = []) async throws {
        extraArguments = (listen ? ["--listen", "127.0.0.1:0"] : []) + arguments
        listens = listen
        let template = parent + "/jt-XXXXXX"
        var buffer = Array(template.utf8CString)
        guard let made = mkdtemp(&buffer) else { throw TestSetupError("mkdtemp failed") }
        stateDirectory = String(cString: made)
        // Others may pass through (not list), as through /var/lib: dnsmasq reads its files as nobody.
        chmod(stateDirectory, 0o711)
        socketPath = stateDirectory + "/joist.sock"
        networkNamespace = privateNetwork ? try await Self.makeNetworkNamespace(named: "j" + stateDirectory.suffix(6)) : nil
        do {
            try await start()
        } catch {
            await shutdown()
            throw error
        }
    }

    /// Runs `executable ARGS…` in the daemon's network namespace (its TLS port is on its `lo`).
    public func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> CommandResult {
        let argv = inNetwork([executable] + arguments)
        return try await CommandRunner.run(argv[0], Array(argv.dropFirst()), environment: environment)
    }

    /// `argv` made to run in the daemon's network namespace. `nsenter --net` switches only the network
    /// namespace and then execs, so the pid is the program's and it sees the host's mounts (cgroups
    /// included), unlike `ip netns exec`, which remounts /sys.
    public func inNetwork(_ argv: [String]) -> [String] {
        guard let networkNamespace else { return argv }
        return [Self.nsenter, "--net=/run/netns/" + networkNamespace, "--"] + argv
    }

    private static let ip = "/usr/sbin/ip"
    private static let nsenter = "/usr/bin/nsenter"

    /// A new network namespace with `lo` up; `ip netns` names it after the state directory.
    private static func makeNetworkNamespace(named name: String) async throws -> String {
        for arguments in [["netns", "add", name], ["-n", name, "link", "set", "lo", "up"]] {
            let result = try await CommandRunner.run(ip, arguments)
            guard result.succeeded else { throw TestSetupError("ip \(arguments.joined(separator: " ")) failed: \(result)") }
        }
        return name
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
        let argv = inNetwork([joistd, "--state-dir", stateDirectory, "--socket", socketPath, "--log-level", "debug"] + extraArguments)
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
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
            if try await cli(["list"]).succeeded, !listens || httpsAddress != nil { return }
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
        try await run(joist, ["--socket", socketPath] + arguments)
    }

    /// Runs `joist ARGS…` with `input` as its standard input.
    public func cli(_ arguments: [String], input: Data) async throws -> CommandResult {
        let argv = inNetwork([joist, "--socket", socketPath] + arguments)
        return try await CommandRunner.run(argv[0], Array(argv.dropFirst()), input: input)
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
        if let networkNamespace {
            // Whatever still runs in the namespace (a dnsmasq of a network the test made) goes with it.
            if let pids = try? await CommandRunner.run(Self.ip, ["netns", "pids", networkNamespace]) {
                for pid in pids.stdout.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
            }
            _ = try? await CommandRunner.run(Self.ip, ["netns", "del", networkNamespace])
        }
        try? FileManager.default.removeItem(atPath: stateDirectory)
    }
}

extension DaemonHarness {
    /// Runs `body` against a fresh daemon and always cleans up after it, even when it throws.
    public static func with(
        isolation: isolated (any Actor)? = #isolation, listen: Bool = false, parent: String = "/tmp",
        privateNetwork: Bool = true, arguments: [String] = [], _ body: (DaemonHarness) async throws -> Void
    ) async throws {
        let harness = try await DaemonHarness(listen: listen, parent: parent, privateNetwork: privateNetwork, arguments: arguments)
        do {
            try await body(harness)
        } catch {
            await harness.shutdown()
            throw error
        }
        await harness.shutdown()
    }
}
