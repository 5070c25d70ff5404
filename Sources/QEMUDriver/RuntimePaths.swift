/// Where one instance's runtime and recovery files live, under `STATE/instances/NAME/`.
public struct RuntimePaths: Sendable, Equatable {
    /// The kernel's limit for a Unix socket path (`sun_path` is 108 bytes including the NUL).
    public static let maxSocketPathLength = 107

    public let directory: String

    public init(stateDirectory: String, instance: String) {
        self.directory = stateDirectory + "/instances/" + instance
    }

    public var qmpSocket: String { directory + "/qmp.sock" }
    public var serialSocket: String { directory + "/serial.sock" }
    public var pidFile: String { directory + "/qemu.pid" }
    /// QEMU's own stderr: the reason it failed to start.
    public var qemuLog: String { directory + "/qemu.log" }
    /// Console history kept by the daemon (bounded, rotated).
    public var consoleLog: String { directory + "/console.log" }
    /// The instance's full configuration, rewritten on every change, for recovery without the database.
    public var recoveryFile: String { directory + "/instance.json" }

    /// Whether every socket path fits the kernel's limit.
    public var socketPathsFit: Bool {
        [qmpSocket, serialSocket].allSatisfy { $0.utf8.count <= Self.maxSocketPathLength }
    }
}
