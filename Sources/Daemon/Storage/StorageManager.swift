import Activity
import Foundation
import JoistAPI
import JoistCore
import Logging
import Storage
import Store

/// The storage pools and the volumes in them: creates, finds, resizes, clones and deletes them through
/// each pool's `StorageBackend`, within the pools' space and the projects' `disk` limits.
///
/// Every multi-step change undoes its finished steps when a later one fails (`Reverter`), and the
/// order of steps leaves a crash nothing `load` cannot settle: a backend puts a volume's file in place
/// before its record is written, so a file without a record is adopted at the next start, and
/// temporaries are swept. Changes of one volume run one at a time (`exclusive`); a name being created
/// is claimed before the first suspension, so a concurrent create of it is refused.
public actor StorageManager {
    struct PoolEntry: Sendable {
        var pool: StoragePool
        var revision: Int64
        let backend: any StorageBackend
    }

    struct VolumeEntry: Sendable {
        var record: VolumeRecord
        var revision: Int64
    }

    let store: any Store
    public nonisolated let projects: ProjectRegistry
    let stateDirectory: String
    let makeBackend: @Sendable (StorageDriverKind, String) -> any StorageBackend
    let events: EventBus
    let logger: Logger

    var pools: [String: PoolEntry] = [:]
    /// Pools being created, by name, with their paths: claimed before the first suspension.
    var poolsInFlight: [String: String] = [:]
    var volumes: [VolumeKey: VolumeEntry] = [:]
    /// Volumes being created (or cloned into), so a concurrent create of the same name is refused.
    var pending: Set<VolumeKey> = []
    /// Bytes of virtual size that creates, clones and growths in flight have claimed in each pool.
    var inFlight: [String: UInt64] = [:]
    /// The changes waiting for each volume that is being changed (see `exclusive`).
    var busy: [VolumeKey: [CheckedContinuation<Void, Never>]] = [:]
    /// The instances that use each volume, as the instance layer reports them (`attach`/`detach`).
    var users: [VolumeKey: Set<String>] = [:]
    /// The instances whose CD-ROM drive holds each image, by fingerprint (`useImage`/`releaseImage`).
    var imageReaders: [String: Set<InstanceKey>] = [:]
    /// Image bytes in transit: uploads to import, exports to download (see `TransferStaging`).
    public nonisolated let staging: TransferStaging
    /// Exports kept for download, by the id of the operation that made them.
    var stagedExports: [String: StagedExport] = [:]
    /// Reads image files to import.
    let qemuImg = QemuImg()

    public init(env: DaemonEnvironment, projects: ProjectRegistry) {
        self.store = env.store
        self.projects = projects
        self.stateDirectory = env.stateDirectory
        self.makeBackend = env.storageBackend
        self.events = env.events
        self.logger = env.logger
        self.staging = TransferStaging(stateDirectory: env.stateDirectory)
    }

    static let poolPrefix = "/storage/pools/"
    static func poolKey(_ name: String) -> String { poolPrefix + name }

    /// Where the `default` pool lives.
    var defaultPoolPath: String { stateDirectory + "/storage/" + StoragePool.defaultName }

    /// Loads pools and volumes, makes the `default` pool on first start, counts every volume against
    /// its project, and settles what an interrupted operation left in each pool (`reconcile`).
    public func load() async throws {
        let (items, _) = try await store.range(prefix: Self.poolPrefix)
        let decoder = APICoding.decoder()
        for item in items {
            do {
                let pool = try decoder.decode(StoragePool.self, from: item.value)
                pools[pool.name] = PoolEntry(pool: pool, revision: item.modRevision, backend: makeBackend(pool.driver, pool.path))
            } catch {
                logger.error("skipping unreadable storage pool record \(item.key): \(error)")
            }
        }
        if let entry = pools[StoragePool.defaultName] {
            // The default pool lives in the state directory, which joistd owns: make it again if it went.
            try await entry.backend.prepare()
        } else {
            try await createDefaultPool()
        }
        try await loadVolumeRecords()
        for entry in volumes.values { await projects.adopt(.volume(entry.record.size), in: entry.record.project) }
        for name in pools.keys.sorted() { await reconcile(name) }
        sweepStaging()
    }

    private func createDefaultPool() async throws {
        let pool = StoragePool(
            name: StoragePool.defaultName, driver: .dir, path: defaultPoolPath, description: "The default pool", createdAt: Date())
        let backend = makeBackend(pool.driver, pool.path)
        try await backend.prepare()
        let revision = try await store.put(Self.poolKey(pool.name), try APICoding.encoder().encode(pool), expect: .absent)
        pools[pool.name] = PoolEntry(pool: pool, revision: revision, backend: backend)
        logger.info("created the default storage pool at \(pool.path)")
    }

    private func loadVolumeRecords() async throws {
        let (items, _) = try await store.range(prefix: "/projects/")
        let decoder = APICoding.decoder()
        for item in items where VolumeRecord.isVolumeKey(item.key) {
            do {
                let record = try decoder.decode(VolumeRecord.self, from: item.value)
                guard pools[record.pool] != nil else {
                    logger.error("skipping volume record \(item.key): storage pool \(record.pool) does not exist")
                    continue
                }
                volumes[record.key] = VolumeEntry(record: record, revision: item.modRevision)
            } catch {
                logger.error("skipping unreadable volume record \(item.key): \(error)")
            }
        }
    }

    /// The pool named `name`, or `notFound`.
    func poolEntry(_ name: String) throws(JoistError) -> PoolEntry {
        guard let entry = pools[name] else { throw .notFound("storage pool \(name) not found") }
        return entry
    }

    /// Lifecycle events of pools are global (no project); those of volumes belong to their project.
    func publishPool(_ action: String, _ name: String) {
        let event = LifecycleEvent(action: action, source: "/1.0/storage-pools/\(name)", name: name)
        events.publish(Event(type: .lifecycle, timestamp: Date(), project: nil, lifecycle: event))
    }

    func publishVolume(_ action: String, _ key: VolumeKey, reason: String? = nil) {
        let event = LifecycleEvent(action: action, source: key.apiPath, name: key.name, reason: reason)
        events.publish(.lifecycle(event, project: key.project))
    }
}

extension ResourceDelta {
    /// What one volume counts for: its virtual size against the project's `disk` limit.
    static func volume(_ size: ByteSize) -> ResourceDelta { ResourceDelta(disk: Int64(clamping: size.bytes)) }
}
