/// Where one instance's files live: runtime files under `STATE/instances/NAME/`, its recovery file
/// beside that folder as `STATE/instances/NAME.json`.
public struct RuntimePaths: Sendable, Equatable {
    /// The kernel's limit for a Unix socket path (`sun_path` is 108 bytes including the NUL).
    public static let maxSocketPathLength = 107

    /// The instance's folder name (`NAME`, or `PROJECT_NAME` outside `default`).
    public let instance: String
    public let directory: String
    /// The instance's full configuration, rewritten on every change, for recovery without the
    /// database. A file beside the runtime folder, not in it: a stopped instance that never ran needs
    /// no folder, and creating one costs an inode per instance.
    public let recoveryFile: String

    public init(stateDirectory: String, instance: String) {
        self.instance = instance
        self.directory = stateDirectory + "/instances/" + instance
        self.recoveryFile = directory + ".json"
    }

    public var qmpSocket: String { directory + "/qmp.sock" }
    public var serialSocket: String { directory + "/serial.sock" }
    /// The guest agent's channel: QEMU's end of the virtio-serial port `org.qemu.guest_agent.0`.
    public var guestAgentSocket: String { directory + "/agent.sock" }
    /// QEMU's VNC server, when the guest has a display: the API's `/vnc` WebSocket connects here.
    public var vncSocket: String { directory + "/vnc.sock" }
    public var pidFile: String { directory + "/qemu.pid" }
    /// QEMU's own stderr: the reason it failed to start.
    public var qemuLog: String { directory + "/qemu.log" }
    /// Console history kept by the daemon (bounded, rotated).
    public var consoleLog: String { directory + "/console.log" }

    /// The cloud-init NoCloud seed (`cidata` ISO), written from the instance's record at every start.
    public var cloudInitSeed: String { directory + "/cidata.iso" }

    /// The sockets QEMU makes (and leaves behind when it dies).
    public var sockets: [String] { [qmpSocket, serialSocket, guestAgentSocket, vncSocket] }

    /// Whether every socket path fits the kernel's limit.
    public var socketPathsFit: Bool {
        sockets.allSatisfy { $0.utf8.count <= Self.maxSocketPathLength }
    }
}
