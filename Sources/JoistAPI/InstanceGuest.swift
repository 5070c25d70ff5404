/// `POST /1.0/instances/{name}/exec`: a command to run in the guest through its guest agent.
public struct InstanceExec: Codable, Sendable, Equatable {
    /// The program and its arguments; the program is looked up in the agent's `PATH`.
    public var command: [String]
    /// Variables for the command. When any is given, the command gets exactly these (plus a default
    /// `PATH` unless one is set), not the agent's own environment.
    public var environment: [String: String]?
    /// An absolute directory in the guest to run in.
    public var cwd: String?
    /// Bytes for the command's standard input, base64; without it the command reads end of file.
    public var stdin: String?
    /// Seconds the command may run before the request gives up on it (default 30, at most 86400).
    public var timeout: Int?

    public init(command: [String], environment: [String: String]? = nil, cwd: String? = nil, stdin: String? = nil, timeout: Int? = nil) {
        self.command = command
        self.environment = environment
        self.cwd = cwd
        self.stdin = stdin
        self.timeout = timeout
    }

    /// The JSON fields a request may carry.
    public static let fields: Set<String> = ["command", "environment", "cwd", "stdin", "timeout"]
}

/// How a guest command ended, with its output (base64, since a command may print any bytes).
public struct InstanceExecResult: Codable, Sendable, Equatable {
    /// The exit code, when the command exited (not killed by a signal).
    public var exitCode: Int?
    /// The signal that killed the command, if one did.
    public var signal: Int?
    public var stdout: String
    public var stderr: String
    /// Whether the guest agent dropped output past its limit (16 MiB per stream in qemu-ga).
    public var truncated: Bool

    public init(exitCode: Int?, signal: Int? = nil, stdout: String, stderr: String, truncated: Bool = false) {
        self.exitCode = exitCode
        self.signal = signal
        self.stdout = stdout
        self.stderr = stderr
        self.truncated = truncated
    }
}

/// `GET /1.0/instances/{name}/guest`: what the guest agent says about the guest, when it answers.
public struct InstanceGuest: Codable, Sendable, Equatable {
    public enum AgentStatus: String, Codable, Sendable, CaseIterable {
        /// The agent answered.
        case answering
        /// The instance runs, but no agent answered in time (see `message`).
        case notAnswering = "not-answering"
        /// The instance is not running, so neither is its agent.
        case notRunning = "not-running"
    }

    /// The guest's operating system as the agent read it (os-release).
    public struct OS: Codable, Sendable, Equatable {
        /// os-release `ID` (`debian`) and `VERSION_ID` (`12`).
        public var id: String?
        public var versionID: String?
        /// For people: "Debian GNU/Linux 12 (bookworm)".
        public var prettyName: String?
        public var kernelRelease: String?
        public var machine: String?

        public init(id: String? = nil, versionID: String? = nil, prettyName: String? = nil, kernelRelease: String? = nil, machine: String? = nil) {
            self.id = id
            self.versionID = versionID
            self.prettyName = prettyName
            self.kernelRelease = kernelRelease
            self.machine = machine
        }
    }

    /// A guest network interface (loopback left out) and its addresses as `ADDRESS/PREFIX`.
    public struct Interface: Codable, Sendable, Equatable {
        public var name: String
        public var mac: String?
        public var addresses: [String]

        public init(name: String, mac: String? = nil, addresses: [String]) {
            self.name = name
            self.mac = mac
            self.addresses = addresses
        }
    }

    public var agent: AgentStatus
    /// Why the agent is not answering.
    public var message: String?
    public var os: OS?
    public var interfaces: [Interface]

    public init(agent: AgentStatus, message: String? = nil, os: OS? = nil, interfaces: [Interface] = []) {
        self.agent = agent
        self.message = message
        self.os = os
        self.interfaces = interfaces
    }
}
