import Activity
import Daemon
import Foundation
import Hummingbird
import Logging
import Networking
import QEMUDriver
import ServiceLifecycle
import Store

/// Settings of one daemon; tests and benchmarks run private daemons with their own.
public struct DaemonOptions: Sendable {
    public static let defaultStateDirectory = "/var/lib/joist"
    public static let defaultSocket = "/run/joist/joist.sock"

    public var stateDirectory: String
    public var socketPath: String
    public var qemuBinary: String
    public var logLevel: String
    /// Where to serve the API with TLS and tokens; nil serves the Unix socket only.
    public var listen: ListenAddress?
    /// A certificate and key to use instead of the self-signed pair in `STATE/tls`.
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// How much CPU all guests together get against any other process when the host is contended
    /// (cgroup v2 scale: 100 weighs like one ordinary process). See `GuestCgroups`.
    public var guestCPUWeight = 100
    /// How often the metrics sampler reads every running guest (and keeps an hour of samples).
    public var metricsInterval: Duration = .seconds(10)
    public static let metricsIntervals: ClosedRange<Int> = 1...300
    public static var guestCPUWeights: ClosedRange<Int> { GuestCgroups.weights }

    public init(stateDirectory: String, socketPath: String, qemuBinary: String, logLevel: String) {
        self.stateDirectory = stateDirectory
        self.socketPath = socketPath
        self.qemuBinary = qemuBinary
        self.logLevel = logLevel
    }
}

/// Wires the store, drivers and API together and serves until SIGTERM or SIGINT.
///
/// Guests are not stopped when the daemon exits: QEMU processes are daemonized and a later joistd
/// re-attaches to them.
public enum DaemonRunner {
    public static func run(_ options: DaemonOptions) async throws {
        let level = Logger.Level(rawValue: options.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "joistd")
        let state = URL(fileURLWithPath: options.stateDirectory).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: state + "/instances", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            atPath: (options.socketPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let lock = try DaemonLock(path: state + "/joistd.lock")

        let store = try SQLiteStore(path: state + "/joist.db")
        let binary = try QEMULauncher.resolve(options.qemuBinary)
        let cgroups = try GuestCgroups.make(
            daemonID: GuestCgroups.daemonID(stateDirectory: state), weight: options.guestCPUWeight)
        if let cgroups {
            cgroups.sweep()
            logger.info("guests run in CPU groups under \(cgroups.parent) (weight \(options.guestCPUWeight))")
        } else {
            logger.notice("no writable cgroup CPU controller: guests share the daemon's CPU group")
        }
        let events = EventBus()
        let env = DaemonEnvironment(
            stateDirectory: state, store: store, argvBuilder: QEMUArgvBuilder(binary: binary),
            launcher: QEMULauncher(cgroups: cgroups),
            accelerators: AcceleratorResolver(
                probe: CachedKVMProbe(
                    probe: QEMUKVMProbe(binary: binary, logger: logger), cachePath: state + "/kvm-probe.json", binary: binary)),
            events: events, logger: logger)
        let projects = ProjectRegistry(store: store)
        try await projects.load()
        let storage = StorageManager(env: env, projects: projects)
        try await storage.load()
        let backupStores = BackupStoreManager(env: env)
        try await backupStores.load()
        let networks = NetworkManager(env: env, driver: LinuxHostNetwork())
        // dnsmasq waits for the instances' reservations and the ruleset for their NICs and
        // forwards: InstanceManager.load starts and applies them, once.
        try await networks.load(deferringToInstances: true)
        let images = ImageManager(env: env, storage: storage)
        try await images.load()
        let manager = InstanceManager(env: env, projects: projects, storage: storage, networks: networks)
        try await manager.load()
        let tokens = TokenAuthority(store: store)
        try await tokens.load()
        let services = APIServices(
            instances: manager, projects: projects, storage: storage, backupStores: backupStores, networks: networks, images: images, tokens: tokens,
            operations: OperationManager(events: events), events: events, audit: try AuditLog(path: state + "/audit.db", events: events),
            metrics: MetricsSampler(instances: manager, interval: options.metricsInterval), logger: logger)

        await InterruptedBackups.settle(instances: manager, stores: backupStores, operations: services.operations, logger: logger)

        let scheduler = SnapshotScheduler(instances: manager, operations: services.operations)
        let backupScheduler = BackupScheduler(instances: manager, stores: backupStores, operations: services.operations)

        try? FileManager.default.removeItem(atPath: options.socketPath)
        let socketPath = options.socketPath
        var applications: [any Service] = [
            APIServer.unixApplication(services, socketPath: socketPath, logger: logger) {
                // The Unix socket is the root administration interface: only its owner may connect.
                chmod(socketPath, 0o600)
                logger.info("joistd \(APIServer.version) serving on \(socketPath), state in \(state)")
            }
        ]
        applications.append(SnapshotSchedulerService(scheduler: scheduler))
        applications.append(BackupSchedulerService(scheduler: backupScheduler))
        applications.append(MetricsSamplerService(sampler: services.metrics))
        let addressFile = state + "/https-address"
        try? FileManager.default.removeItem(atPath: addressFile)
        if let listen = options.listen {
            let tls = try TLSSetup.serverConfiguration(
                stateDirectory: state, certificate: options.tlsCertificate, key: options.tlsKey, logger: logger)
            applications.append(
                try APIServer.tlsApplication(services, host: listen.host, port: listen.port, tls: tls, logger: logger) { port in
                    let bound = ListenAddress(host: listen.host, port: port)
                    // Tests and scripts read the bound port (useful with port 0) from here.
                    try? AtomicFile.write(Data("\(bound)\n".utf8), to: addressFile)
                    logger.info("joistd serving https://\(bound) (TLS, tokens required)")
                })
        }
        let group = ServiceGroup(
            configuration: .init(services: applications, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        cgroups?.removeParentIfEmpty()
        withExtendedLifetime(lock) {}
        logger.info("joistd stopped; guests keep running")
    }
}

/// An exclusive lock on the state directory, so two daemons never drive the same guests.
final class DaemonLock: Sendable {
    private let fd: Int32

    init(path: String) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DaemonLockError("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw DaemonLockError("another joistd is already using \((path as NSString).deletingLastPathComponent)")
        }
    }

    deinit { close(fd) }
}

struct DaemonLockError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
