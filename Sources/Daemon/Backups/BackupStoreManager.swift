import Activity
public import Backup
import Foundation
public import JoistAPI
import JoistCore
import Logging
import Store

/// The backup stores: records under `/backup-stores/NAME` naming a folder on the host, each opened as
/// a `ChunkStore`. `default` lives in `STATE/backups` and is made at the first start.
///
/// Deleting a store forgets it and leaves its folder and backups on disk: backups are what a user
/// keeps when everything else is lost, so no API call erases them wholesale. Creating a store over
/// that folder again adopts them. Work on a store (a backup, restore, verify, gc) runs inside
/// `withStore`, and a store in use cannot be deleted.
public actor BackupStoreManager {
    struct Entry: Sendable {
        var store: BackupStore
        var revision: Int64
    }

    let kv: any Store
    let stateDirectory: String
    let events: EventBus
    let logger: Logger

    var entries: [String: Entry] = [:]
    /// Names being created, claimed before the first suspension.
    var creating: [String: String] = [:]
    /// How many pieces of work hold each store (see `withStore`).
    var uses: [String: Int] = [:]

    public init(env: DaemonEnvironment) {
        self.kv = env.store
        self.stateDirectory = env.stateDirectory
        self.events = env.events
        self.logger = env.logger
    }

    static let prefix = "/backup-stores/"
    static func key(_ name: String) -> String { prefix + name }

    /// Where the `default` store lives.
    var defaultPath: String { stateDirectory + "/backups" }

    /// Loads the stores' records and makes the `default` store on the first start (or again, if its
    /// folder in the state directory went).
    public func load() async throws {
        let (items, _) = try await kv.range(prefix: Self.prefix)
        let decoder = APICoding.decoder()
        for item in items {
            do {
                let store = try decoder.decode(BackupStore.self, from: item.value)
                entries[store.name] = Entry(store: store, revision: item.modRevision)
            } catch {
                logger.error("skipping unreadable backup store record \(item.key): \(error)")
            }
        }
        if let entry = entries[BackupStore.defaultName] {
            _ = try await ChunkStore.openOrCreateInBackground(entry.store.path)
        } else {
            let store = BackupStore(
                name: BackupStore.defaultName, path: defaultPath, description: "The default backup store", createdAt: Date())
            _ = try await ChunkStore.openOrCreateInBackground(store.path)
            let revision = try await kv.put(Self.key(store.name), try APICoding.encoder().encode(store), expect: .absent)
            entries[store.name] = Entry(store: store, revision: revision)
            logger.info("created the default backup store at \(store.path)")
        }
        for entry in entries.values.sorted(by: { $0.store.name < $1.store.name }) where entry.store.name != BackupStore.defaultName {
            // Only looked at, never made: an unmounted disk's empty mount point must not become a store.
            do {
                if try ChunkStore.open(entry.store.path) == nil {
                    logger.warning("backup store \(entry.store.name): no store in \(entry.store.path) (not mounted?)")
                }
            } catch {
                logger.warning("backup store \(entry.store.name) at \(entry.store.path): \(error)")
            }
        }
    }

    /// Makes a store in an empty or new folder, or adopts the store (and its backups) already there.
    public func create(_ request: BackupStoreCreate) async throws -> BackupStoreInfo {
        let name = try ResourceName.validate(request.name, kind: "backup store")
        let path = try BackupStorePath.validate(request.path)
        guard entries[name] == nil, creating[name] == nil else { throw JoistError.alreadyExists("backup store \(name) already exists") }
        try checkPathIsFree(path)
        creating[name] = path
        defer { creating.removeValue(forKey: name) }
        let existed = try ChunkStore.open(path) != nil
        _ = try await ChunkStore.openOrCreateInBackground(path)
        let store = BackupStore(name: name, path: path, description: request.description ?? "", createdAt: Date())
        do {
            let revision = try await kv.put(Self.key(name), try APICoding.encoder().encode(store), expect: .absent)
            entries[name] = Entry(store: store, revision: revision)
        } catch {
            if case StoreError.conflict = error { throw JoistError.alreadyExists("backup store \(name) already exists") }
            throw error
        }
        logger.info("\(existed ? "adopted" : "created") backup store \(name) at \(path)")
        publish("backup-store-created", name)
        return try await info(name)
    }

    /// Forgets a store; its folder and backups stay on disk. `default` is never deleted, nor a store
    /// that a backup, restore, verify or gc is using.
    public func delete(_ name: String) async throws {
        guard name != BackupStore.defaultName else { throw JoistError.invalidState("the default backup store cannot be deleted") }
        guard let entry = entries[name] else { throw JoistError.notFound("backup store \(name) not found") }
        guard (uses[name] ?? 0) == 0 else {
            throw JoistError.invalidState("backup store \(name) is in use (a backup, restore, verify or gc is running); try again when it ends")
        }
        entries.removeValue(forKey: name)
        do {
            try await kv.delete(Self.key(name), expect: .modRevision(entry.revision))
        } catch {
            entries[name] = entry
            throw error
        }
        logger.info("forgot backup store \(name); its folder \(entry.store.path) and backups stay on disk")
        publish("backup-store-deleted", name)
    }

    /// Every store, sorted by name, with its backups and space (no chunk counts: see `info`).
    public func list() async -> [BackupStoreInfo] {
        var infos: [BackupStoreInfo] = []
        for name in entries.keys.sorted() {
            guard let entry = entries[name] else { continue }
            infos.append(await describe(entry, countingChunks: false))
        }
        return infos
    }

    /// One store with its backups, chunks and space.
    public func info(_ name: String) async throws -> BackupStoreInfo {
        guard let entry = entries[name] else { throw JoistError.notFound("backup store \(name) not found") }
        return await describe(entry, countingChunks: true)
    }

    /// Throws `notFound` unless a store is named `name`.
    public func requireStore(_ name: String) throws(JoistError) {
        guard entries[name] != nil else { throw .notFound("backup store \(name) not found") }
    }

    /// Runs `body` on the opened store, which cannot be deleted meanwhile.
    public func withStore<T: Sendable>(_ name: String, _ body: @Sendable (ChunkStore) async throws -> T) async throws -> T {
        guard let entry = entries[name] else { throw JoistError.notFound("backup store \(name) not found") }
        guard let store = try ChunkStore.open(entry.store.path) else {
            throw JoistError.invalidState(
                "backup store \(name) has no store in \(entry.store.path) (is its filesystem mounted?); delete it or mount its folder")
        }
        uses[name, default: 0] += 1
        defer { uses[name, default: 1] -= 1 }
        return try await body(store)
    }

    /// Removes the chunks no backup in the store needs, and temporaries interrupted writes left.
    public func gc(_ name: String, progress: (@Sendable (BackupProgress) -> Void)? = nil) async throws -> GCReport {
        let report = try await withStore(name) { store in try await BackupGC(store: store).run(progress: progress) }
        logger.info(
            "gc of backup store \(name): removed \(report.chunksRemoved) chunks (\(report.bytesFreed) bytes) and \(report.temporariesRemoved) temporaries, kept \(report.chunksKept)")
        return report
    }

    private func describe(_ entry: Entry, countingChunks: Bool) async -> BackupStoreInfo {
        let space = BackupStorePath.space(of: entry.store.path)
        var usage = BackupStoreUsage(backups: 0, capacity: space.capacity, free: space.free)
        var chunkSize = ChunkStore.defaultChunkSize
        do {
            if let store = try ChunkStore.open(entry.store.path) {
                chunkSize = store.chunkSize
                let summary = try await store.summary(countingChunks: countingChunks)
                usage.backups = summary.backups
                usage.chunks = summary.chunks
                usage.storedBytes = summary.storedBytes
            }
        } catch {
            logger.warning("cannot read backup store \(entry.store.name) at \(entry.store.path): \(error)")
        }
        return BackupStoreInfo(store: entry.store, usage: usage, chunkSize: chunkSize)
    }

    /// Refuses a folder that overlaps another store's, or lies in joistd's state directory (which only
    /// the default store may).
    private func checkPathIsFree(_ path: String) throws {
        let taken = entries.values.map { ($0.store.name, $0.store.path) } + creating.map { ($0.key, $0.value) }
        if let (other, otherPath) = taken.first(where: { PoolPath.conflict(path, $0.1) }) {
            throw JoistError.invalidArgument(
                "backup store path \(path) overlaps the folder of backup store \(other) (\(otherPath)); stores cannot share files")
        }
        if PoolPath.conflict(path, stateDirectory) {
            throw JoistError.invalidArgument("backup store path \(path) overlaps joistd's state directory \(stateDirectory); choose a folder of its own")
        }
    }

    private func publish(_ action: String, _ name: String) {
        let event = LifecycleEvent(action: action, source: "/1.0/backup-stores/\(name)", name: name)
        events.publish(Event(type: .lifecycle, timestamp: Date(), project: nil, lifecycle: event))
    }
}
