import HostKit
import Foundation
import JoistAPI
import JoistCore
import Networking
import QEMUDriver
import QMP

extension InstanceSupervisor {
    /// Starts the guest: launch QEMU paused, connect QMP and the console, then continue it.
    public func start() async throws {
        try await operations.withLock { try await self.performStart() }
    }

    /// Launches QEMU paused and continues it; with `loading`, the stateful snapshot is loaded first,
    /// so the guest runs on from the snapshot's moment.
    func performStart(loading snapshot: SnapshotPlan? = nil, progress: @escaping @Sendable (Double) -> Void = { _ in }) async throws {
        try ensureExists()
        let disks = try await attachedDisks(record.spec.disks) + cdromDrive(record.spec.cdrom)
        try transition(.start)
        var launchedPID: Int32?
        do {
            let accelerator = try await env.accelerators.resolve(record.spec.accel)
            try prepareRuntimeDirectory()
            let disks = try await disks + cloudInitSeedDrive()
            let nics = try AttachedNIC.resolve(record.spec.nics, project: key.project, instance: name, vhost: env.vhostNet)
            try await ensureTaps()
            let argv = env.argvBuilder.argv(for: record.spec, disks: disks, nics: nics, paths: paths, accelerator: accelerator)
            logger.debug("launching QEMU", metadata: ["argv": "\(argv)"])
            let pid = try await env.launcher.launch(argv: argv, paths: paths)
            launchedPID = pid
            let qmp = try await QMPClient.connect(path: paths.qmpSocket, timeout: .seconds(10), logger: logger)
            let log = ConsoleLog(path: paths.consoleLog, limit: env.consoleLogLimit)
            let console = try await ConsoleHub.connect(socketPath: paths.serialSocket, log: log)
            attach(qmp: qmp, console: console, log: log)
            record.runtime = .init(pid: pid, accelerator: accelerator, startedAt: Date())
            record.lastExit = nil
            try await persist()
            if let snapshot { try await LiveSnapshotter(qmp: qmp).load(snapshot, progress: progress) }
            try await qmp.cont()
            try transition(.launched)
        } catch {
            let reason = Self.message(of: error)
            logger.warning("start failed: \(reason)")
            if let launchedPID, HostProcess.isAlive(launchedPID) { HostProcess.kill(launchedPID) }
            detach()
            _ = try? transition(.launchFailed)
            record.runtime = nil
            record.lastExit = ExitRecord(at: Date(), reason: "failed to start: \(reason)")
            try? await persist()
            throw JoistError.hostFailure("failed to start instance \(name): \(reason)")
        }
    }

    /// Makes the tap of every network NIC exist on its network's bridge, carrying its VLANs, for
    /// QEMU to open. Taps stay until the instance is deleted, so a restart finds them there.
    func ensureTaps() async throws {
        for (index, nic) in record.spec.nics.enumerated() where nic.mode == .network {
            try await networks.ensureTap(for: NICIdentity(project: key.project, instance: name, index: nic.id ?? index), nic: nic)
        }
    }

    /// Creates the runtime directory and removes sockets a previous QEMU left behind.
    func prepareRuntimeDirectory() throws {
        try FileManager.default.createDirectory(atPath: paths.directory, withIntermediateDirectories: true)
        for stale in paths.sockets + [paths.pidFile] {
            try? FileManager.default.removeItem(atPath: stale)
        }
    }

    /// Takes ownership of a QEMU's connections and starts following its events.
    func attach(qmp: QMPClient, console: ConsoleHub, log: ConsoleLog) {
        self.qmp = qmp
        self.console = console
        self.consoleLog = log
        Task { [weak self] in
            for await event in qmp.events {
                await self?.handle(event, from: qmp)
            }
            await self?.handleProcessExit(of: qmp)
        }
    }

    /// Drops the connections to QEMU (QEMU itself keeps running unless told otherwise).
    func detach() {
        console?.close()
        consoleLog?.close()
        let qmp = self.qmp
        self.qmp = nil
        self.console = nil
        self.consoleLog = nil
        if let qmp { Task { await qmp.close() } }
    }

    static func message(of error: any Error) -> String {
        switch error {
        case let error as JoistError: return error.message
        case let error as QMPError: return "\(error)"
        default: return "\(error)"
        }
    }
}
