import Activity
import Foundation
public import JoistAPI
import JoistCore
import Logging
import QEMUDriver
import QMP
import Store

/// Owns one instance: its lifecycle state machine, its QEMU process, QMP connection and console.
///
/// User operations (start, stop, pause, …) are serialized by a lock so they never interleave; QMP
/// events and the process exiting are handled as they arrive, without that lock, so a stop can wait
/// for the guest to power off.
public actor InstanceSupervisor {
    public nonisolated let key: InstanceKey
    public nonisolated var name: String { key.name }
    let env: DaemonEnvironment
    /// Where the volumes among the instance's disks live.
    let storage: StorageManager
    /// Where the taps of the instance's network NICs are made.
    let networks: NetworkManager
    let paths: RuntimePaths
    let operations = AsyncLock()
    /// Serializes conversations with the guest agent: QEMU's agent socket serves one client at a time.
    let agentLock = AsyncLock()
    /// Whether a conversation with the guest agent is under way (`info` does not wait for it).
    var agentInUse = false
    /// What the agent last said about the guest, with when and for which QEMU process.
    var guestCache: (at: ContinuousClock.Instant, pid: Int32?, guest: InstanceGuest)?
    var logger: Logger

    var lifecycle: Lifecycle
    var record: InstanceRecord
    /// The store revision of `record`, for compare-and-swap writes.
    var revision: Int64
    /// `record` as the store holds it, mirrored into the recovery file.
    var storedRecord: Data
    /// The revision the recovery file holds (0: none written by this daemon yet).
    private var mirroredRevision: Int64 = 0
    var qmp: QMPClient?
    var console: ConsoleHub?
    var consoleLog: ConsoleLog?
    /// Why the running QEMU will exit, when the daemon caused it; recorded in `lastExit`.
    var pendingExitReason: String?
    var deleted = false
    /// The last snapshot and its JSON, so listings encode an instance once per change, not once per request.
    private var encoded: (instance: Instance, json: Data)?

    private var waiters: [Int: (target: InstanceState, continuation: CheckedContinuation<Bool, Never>)] = [:]
    private var nextWaiterID = 0

    /// `storedRecord` is `record` as written to the store at `revision`.
    init(
        key: InstanceKey, record: InstanceRecord, revision: Int64, storedRecord: Data, env: DaemonEnvironment,
        storage: StorageManager, networks: NetworkManager
    ) {
        self.key = key
        self.env = env
        self.storage = storage
        self.networks = networks
        self.paths = env.paths(for: key)
        self.record = record
        self.revision = revision
        self.storedRecord = storedRecord
        self.lifecycle = Lifecycle(name: record.spec.name)
        var logger = env.logger
        logger[metadataKey: "instance"] = .string(key.description)
        self.logger = logger
    }

    /// The instance as the API shows it.
    public func snapshot() -> Instance {
        let runtime = lifecycle.state.hasProcess ? record.runtime : nil
        return Instance(
            name: name, project: key.project, state: lifecycle.state, config: record.spec, pid: runtime?.pid,
            accelerator: runtime?.accelerator, startedAt: runtime?.startedAt,
            createdAt: record.createdAt, lastExit: record.lastExit, nics: nicStates())
    }

    /// Each NIC with the addresses its network leased to its MAC.
    func nicStates() -> [InstanceNIC] {
        NICSpec.numbered(record.spec.nics).enumerated().map { index, nic in
            var addresses: [IPv4Address] = []
            if nic.mode == .network, let network = nic.network, let mac = nic.mac {
                addresses = networks.leases.addresses(of: mac, on: network)
            }
            return InstanceNIC(
                name: nic.name ?? "eth\(index)", mode: nic.mode, network: nic.network, mac: nic.mac, ip: nic.ip, addresses: addresses)
        }
    }

    /// `snapshot()` as JSON, re-encoded only when the snapshot differs from the last one encoded.
    public func encodedSnapshot() throws -> Data {
        let instance = snapshot()
        if let encoded, encoded.instance == instance { return encoded.json }
        let json = try APICoding.encoder().encode(instance)
        encoded = (instance, json)
        return json
    }

    /// Refuses operations on an instance that is being deleted.
    func ensureExists() throws {
        guard !deleted else { throw JoistError.notFound("instance \(name) not found") }
    }

    /// Feeds the state machine and wakes anyone waiting for the new state.
    @discardableResult
    func transition(_ event: Lifecycle.Event) throws -> [Lifecycle.Action] {
        let before = lifecycle.state
        let actions = try lifecycle.handle(event)
        if lifecycle.state != before {
            logger.info("state \(before.rawValue) → \(lifecycle.state.rawValue)", metadata: ["event": "\(event)"])
            env.events.publish(.lifecycle(
                LifecycleEvent(
                    action: "instance-state-changed", source: "/1.0/instances/\(name)", name: name,
                    previousState: before.rawValue, state: lifecycle.state.rawValue, reason: "\(event)"),
                project: key.project))
            for (id, waiter) in waiters where waiter.target == lifecycle.state {
                waiters.removeValue(forKey: id)
                waiter.continuation.resume(returning: true)
            }
        }
        return actions
    }

    /// Waits until the instance reaches `target`, up to `timeout`; returns whether it did.
    func waitForState(_ target: InstanceState, timeout: Duration) async -> Bool {
        if lifecycle.state == target { return true }
        let id = nextWaiterID
        nextWaiterID += 1
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.expireWaiter(id)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { waiters[id] = (target, $0) }
    }

    private func expireWaiter(_ id: Int) {
        waiters.removeValue(forKey: id)?.continuation.resume(returning: false)
    }

    /// Writes the record to the store (compare-and-swap on its revision), then mirrors it into the
    /// recovery file.
    func persist() async throws {
        let data = try APICoding.encoder().encode(record)
        revision = try await env.store.put(InstanceRecord.key(name, project: key.project), data, expect: .modRevision(revision))
        storedRecord = data
        mirrorRecordSoon()
    }

    /// Mirrors the record into its recovery file (`STATE/instances/NAME.json`), the same bytes as the
    /// store holds, so a lost database can be rebuilt from the files. The write happens after
    /// the request that changed the record has its answer: the store is already durable, and the
    /// directory and file creation stay off the request's path. Queued writes collapse into one.
    func mirrorRecordSoon() {
        Task { self.mirrorRecord() }
    }

    /// Writes the recovery file now if it is behind the store. Nothing once the instance is deleted,
    /// so a late write cannot bring its file back.
    func mirrorRecord() {
        guard !deleted, mirroredRevision != revision else { return }
        do {
            try AtomicFile.write(storedRecord, to: paths.recoveryFile)
            mirroredRevision = revision
        } catch {
            logger.warning("cannot write the recovery file \(paths.recoveryFile): \(error)")
        }
    }
}

extension InstanceSupervisor {
    /// The QMP connection of a running or paused guest, for a change to its devices; nil for a
    /// stopped one. Instances between states are refused: the change would race the start or stop.
    func runningQMP(for action: String) throws -> QMPClient? {
        switch lifecycle.state {
        case .stopped: return nil
        case .running, .paused:
            guard let qmp else { throw JoistError.invalidState("cannot \(action) instance \(name): its QEMU is not connected") }
            return qmp
        default:
            throw JoistError.invalidState("cannot \(action) instance \(name) while it is \(lifecycle.state.rawValue)")
        }
    }

    /// Tells event subscribers the instance's configuration changed.
    func publishUpdated() {
        env.events.publish(.lifecycle(
            .init(action: "instance-updated", source: "/1.0/instances/\(name)", name: name), project: key.project))
    }
}
