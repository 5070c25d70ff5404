import Foundation
import GRDB
import JoistAPI
import JoistCore

/// Who changed what, and how it ended: an append-only SQLite table, pruned by age.
///
/// Recording is one INSERT on the writer connection; it runs on every write request's path.
/// Each recorded entry is also published on the event bus, when there is one.
public final class AuditLog: Sendable {
    private let writer: any DatabaseWriter
    private let events: EventBus?

    /// Opens (or creates) the log at `path` in WAL mode and migrates its schema.
    public convenience init(path: String, events: EventBus? = nil) throws {
        var configuration = Configuration()
        configuration.label = "Audit"
        // Another process (a backup tool, the sqlite3 shell) may hold a lock for a moment.
        configuration.busyMode = .timeout(5)
        let pool = try Self.mapped("open the audit log at \(path)") {
            try DatabasePool(path: path, configuration: configuration)
        }
        try self.init(writer: pool, events: events)
    }

    /// A log that lives in memory only, for tests.
    public static func inMemory(events: EventBus? = nil) throws -> AuditLog {
        let queue = try mapped("open an in-memory audit log") { try DatabaseQueue() }
        return try AuditLog(writer: queue, events: events)
    }

    private init(writer: any DatabaseWriter, events: EventBus?) throws {
        self.writer = writer
        self.events = events
        try Self.mapped("migrate the audit log") { try Self.migrator.migrate(writer) }
    }

    /// Appends `entry` (its `id` is ignored) and returns it as recorded, with the id the log assigned.
    @discardableResult
    public func record(_ entry: AuditEntry) throws -> AuditEntry {
        // A single INSERT is atomic on its own; a transaction around it would only add statements.
        let id = try Self.mapped("record an audit entry") {
            try writer.writeWithoutTransaction { db in
                try db.cachedStatement(sql: Self.insertSQL).execute(arguments: Self.arguments(entry))
                return db.lastInsertedRowID
            }
        }
        var entry = entry
        entry.id = id
        // What a query will read back: the date as the stored seconds since 1970.
        entry.at = Date(timeIntervalSince1970: entry.at.timeIntervalSince1970)
        events?.publish(.audit(entry))
        return entry
    }

    /// The entries `query` selects, by increasing id. Maps to `GET /1.0/audit`.
    public func query(_ query: AuditQuery) throws -> [AuditEntry] {
        let (sql, arguments) = query.statement
        return try Self.mapped("read the audit log") {
            try writer.read { db in
                try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.entry)
            }
        }
    }

    /// Deletes the entries recorded before `date`; returns how many.
    @discardableResult
    public func prune(olderThan date: Date) throws -> Int {
        try Self.mapped("prune the audit log") {
            try writer.write { db in
                try db.execute(sql: "DELETE FROM audit WHERE at < ?", arguments: [date.timeIntervalSince1970])
                return db.changesCount
            }
        }
    }

    /// Runs `body`, reporting database failures as `hostFailure` ("failed to <what>: <cause>").
    private static func mapped<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as JoistError {
            throw error
        } catch {
            throw JoistError.hostFailure("failed to \(what): \(error)")
        }
    }
}
