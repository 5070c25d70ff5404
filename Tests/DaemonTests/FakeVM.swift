import Daemon
import Foundation
import JoistAPI
import JoistCore
import JoistTesting
import Logging
import QEMUDriver
import QMP
import Store
import Synchronization

/// A launcher that starts a fake QMP server and a fake serial console where QEMU would put its
/// sockets, so the daemon's logic runs without QEMU.
final class FakeVMLauncher: VMLauncher {
    struct VM: Sendable {
        let qmp: FakeQMPServer
        let serial: FakeSerialServer
    }

    let handler: FakeQMPServer.Handler
    let failure: JoistError?
    private let launched = Mutex<[VM]>([])

    init(failure: JoistError? = nil, handler: @escaping FakeQMPServer.Handler = FakeQMPServer.succeedAll) {
        self.failure = failure
        self.handler = handler
    }

    func launch(argv: [String], paths: RuntimePaths) async throws -> Int32 {
        if let failure { throw failure }
        let qmp = try await FakeQMPServer.start(socketPath: paths.qmpSocket, handler: handler)
        let serial = try await FakeSerialServer.start(socketPath: paths.serialSocket)
        launched.withLock { $0.append(VM(qmp: qmp, serial: serial)) }
        // No process exists; the supervisor treats this pid as already gone when it checks.
        return Int32.max
    }

    /// A VM that ignores everything but `quit`, which ends it (as QEMU's monitor does).
    static func quitting() -> FakeVMLauncher {
        FakeVMLauncher { command in command.name == "quit" ? .successThenDisconnect([:]) : .success([:]) }
    }

    var last: VM? { launched.withLock { $0.last } }

    /// QEMU exiting: both sockets close.
    func exit(_ vm: VM) async {
        await vm.qmp.dropConnections()
        await vm.qmp.shutdown()
        await vm.serial.shutdown()
    }
}

/// A daemon core (manager, in-memory store) wired to a fake launcher in a temporary directory.
struct FakeDaemon {
    let manager: InstanceManager
    let launcher: FakeVMLauncher
    let directory: String

    init(launcher: FakeVMLauncher) throws {
        directory = "/tmp/jd-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/instances", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: directory + "/vmlinuz", contents: Data("kernel".utf8))
        let env = DaemonEnvironment(
            stateDirectory: directory, store: InMemoryStore(), launcher: launcher,
            accelerators: AcceleratorResolver(probe: NoKVM()), logger: Logger(label: "test"))
        manager = InstanceManager.testing(env: env)
        self.launcher = launcher
    }

    /// Creates an instance (64 MiB, one CPU) in `project`, which must exist; `default` is made on first use.
    func create(_ name: String, in project: String = "default") async throws -> InstanceSupervisor {
        if await !manager.projects.exists("default") { try await manager.projects.load() }
        _ = try await manager.create(
            InstanceCreate(name: name, kernel: directory + "/vmlinuz", memory: "64MiB", accel: .tcg), in: project)
        return try await manager.supervisor(name, in: project)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }
}

/// Creates instance `vm1`, starts it on `launcher`'s fake VM, runs `body`, and always tears the fake
/// VM and the daemon's directory down afterwards, even when `body` throws.
func withRunningVM(
    _ launcher: FakeVMLauncher = FakeVMLauncher(),
    _ body: (InstanceSupervisor, FakeVMLauncher.VM) async throws -> Void
) async throws {
    let daemon = try FakeDaemon(launcher: launcher)
    defer { daemon.cleanUp() }
    let supervisor = try await daemon.create("vm1")
    try await supervisor.start()
    guard let vm = launcher.last else { throw TestSetupError("the fake launcher started no VM") }
    do {
        try await body(supervisor, vm)
    } catch {
        await stop(vm, of: supervisor, on: launcher)
        throw error
    }
    await stop(vm, of: supervisor, on: launcher)
}

/// Ends the fake VM and waits until the supervisor has recorded the exit, so nothing writes into
/// the daemon's directory once the test removes it.
func stop(_ vm: FakeVMLauncher.VM, of supervisor: InstanceSupervisor, on launcher: FakeVMLauncher) async {
    await launcher.exit(vm)
    _ = await eventually { await supervisor.snapshot().state == .stopped }
}

struct NoKVM: KVMProbe {
    func kvmRunsGuests() async -> Bool { false }
}

extension InstanceManager {
    /// A manager with its own project registry, (not yet loaded) storage and networks on `host`, on
    /// `env`'s store.
    static func testing(env: DaemonEnvironment, host: FakeHostNetworkDriver = FakeHostNetworkDriver()) -> InstanceManager {
        let projects = ProjectRegistry(store: env.store)
        return InstanceManager(
            env: env, projects: projects, storage: StorageManager(env: env, projects: projects),
            networks: NetworkManager(env: env, driver: host))
    }
}
