import Foundation
import GRDB
import Synchronization

/// The embedded `Store`: one SQLite database in WAL mode, for a single host.
///
/// Writes run one at a time on GRDB's writer connection, so compare-and-swap is atomic across
/// any number of tasks; each write is one small transaction (WAL with `synchronous=NORMAL`).
/// Reads run concurrently on snapshot connections. The revision counter is stored, so it goes on
/// across restarts. History for watches is kept for at least the last `historyLimit` revisions.
public final class SQLiteStore: Store {
    private let pool: DatabasePool
    /// Live watchers; `SQLiteStore+Watch.swift` feeds them history first.
    let hub = WatchHub()
    private let historyLimit: Int64
    private let isClosed = Atomic(false)

    /// Opens (or creates) the store at `path` and migrates its schema.
    /// Keeps the history of at least the last `historyLimit` revisions for watches.
    public init(path: String, historyLimit: Int64 = 10_000) throws {
        self.historyLimit = max(historyLimit, 1)
        var configuration = Configuration()
        configuration.label = "Store"
        // Another process (a backup tool, the sqlite3 shell) may hold a lock for a moment.
        configuration.busyMode = .timeout(5)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw StoreError.backend("failed to open store at \(path): \(error)")
        }
    }

    public func get(_ key: String) async throws -> KeyValue? {
        try await read { db in try Self.keyValue(db, key) }
    }

    public func range(prefix: String) async throws -> (items: [KeyValue], revision: Int64) {
        let (items, revision) = try await read { db in
            (try Self.keyValues(db, prefix: prefix), try Self.meta(db).revision)
        }
        return (items, revision)
    }

    @discardableResult
    public func commit(_ transaction: Transaction) async throws -> Int64 {
        try await write { [hub, historyLimit] db in
            let meta = try Self.meta(db)
            let plan = try WritePlan(transaction, currentRevision: meta.revision) { try Self.keyValue(db, $0) }
            guard !plan.isEmpty else { return meta.revision }
            try Self.apply(plan, db)
            // Trim history in batches of a tenth of the limit, not on every write.
            if plan.revision - meta.compacted > historyLimit + max(historyLimit / 10, 1) {
                try Self.compact(db, through: plan.revision - historyLimit)
            }
            // Runs on the writer queue right after the commit, so watchers see writes in commit order.
            db.afterNextTransaction(onCommit: { _ in hub.publish(plan.events) })
            return plan.revision
        }
    }

    public func currentRevision() async throws -> Int64 {
        try await read { db in try Self.meta(db).revision }
    }

    /// Drops the history of all but the last `count` revisions; watches from before then throw
    /// `.compacted`. Returns the revision history is now kept after. Maps to etcd `Compact`.
    @discardableResult
    public func compact(keepingLast count: Int64) async throws -> Int64 {
        try await write { db in
            let meta = try Self.meta(db)
            let target = meta.revision - max(count, 0)
            guard target > meta.compacted else { return meta.compacted }
            try Self.compact(db, through: target)
            return target
        }
    }

    /// Ends every watch, waits for running operations and closes the database.
    public func close() async {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        hub.close()
        // `DatabasePool.close()` blocks until running reads finish, and an async read only
        // finishes when its task resumes on the cooperative pool: blocking a cooperative thread
        // here can deadlock it, so close from a Dispatch thread.
        await withCheckedContinuation { (closed: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { [pool] in
                // A failure means statements are still alive; SQLite then closes once they finish.
                try? pool.close()
                closed.resume()
            }
        }
    }

    /// Runs `body` on a snapshot connection, mapping errors to `StoreError`.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try checkOpen()
        do {
            return try await pool.read(body)
        } catch {
            throw mapped(error)
        }
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try checkOpen()
        do {
            return try await pool.write(body)
        } catch {
            throw mapped(error)
        }
    }

    private func checkOpen() throws {
        if isClosed.load(ordering: .acquiring) { throw StoreError.closed }
    }

    /// Keeps contract errors and cancellation as they are; reports anything else as `.backend`.
    private func mapped(_ error: any Error) -> any Error {
        switch error {
        case is StoreError, is CancellationError: error
        case _ where isClosed.load(ordering: .acquiring): StoreError.closed
        default: StoreError.backend(String(describing: error))
        }
    }
}
