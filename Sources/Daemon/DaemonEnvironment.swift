public import Activity
import Foundation
public import JoistCore
public import Logging
public import QEMUDriver
public import Storage
public import Store

/// The daemon's collaborators and settings, shared by every supervisor.
public struct DaemonEnvironment: Sendable {
    public var stateDirectory: String
    public var store: any Store
    public var argvBuilder: QEMUArgvBuilder
    public var launcher: any VMLauncher
    public var accelerators: AcceleratorResolver
    public var host: HostResources
    /// Whether tap NICs use vhost-net (the host has `/dev/vhost-net`).
    public var vhostNet: Bool
    /// Lifecycle events go here (and on to `/1.0/events`).
    public var events: EventBus
    /// Bytes of console history kept per instance before rotation.
    public var consoleLogLimit: Int
    /// The backend of a storage pool, from its driver and folder (`StorageDrivers.backend`; tests
    /// pass in-memory fakes).
    public var storageBackend: @Sendable (StorageDriverKind, String) -> any StorageBackend
    public var logger: Logger

    public init(
        stateDirectory: String, store: any Store, argvBuilder: QEMUArgvBuilder = QEMUArgvBuilder(),
        launcher: any VMLauncher = QEMULauncher(), accelerators: AcceleratorResolver, host: HostResources = .current,
        vhostNet: Bool = VhostNet.isAvailable(), consoleLogLimit: Int = ConsoleLog.defaultLimit, events: EventBus = EventBus(),
        storageBackend: @escaping @Sendable (StorageDriverKind, String) -> any StorageBackend = { StorageDrivers.backend($0, root: $1) },
        logger: Logger
    ) {
        self.events = events
        self.stateDirectory = stateDirectory
        self.store = store
        self.argvBuilder = argvBuilder
        self.launcher = launcher
        self.accelerators = accelerators
        self.host = host
        self.vhostNet = vhostNet
        self.consoleLogLimit = consoleLogLimit
        self.storageBackend = storageBackend
        self.logger = logger
    }

    func paths(for key: InstanceKey) -> RuntimePaths {
        RuntimePaths(stateDirectory: stateDirectory, instance: key.directoryName)
    }
}

extension HostResources {
    /// This machine's CPUs and RAM.
    public static var current: HostResources {
        HostResources(
            cpus: ProcessInfo.processInfo.activeProcessorCount,
            memory: ByteSize(bytes: ProcessInfo.processInfo.physicalMemory))
    }
}
