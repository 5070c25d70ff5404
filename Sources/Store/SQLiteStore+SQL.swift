import Foundation
import GRDB

/// The SQL behind `SQLiteStore`: each function runs inside a read or write the caller opened.
extension SQLiteStore {
    /// The current revision and the revision history is kept after.
    static func meta(_ db: Database) throws -> (revision: Int64, compacted: Int64) {
        let statement = try db.cachedStatement(sql: "SELECT revision, compacted_revision FROM meta WHERE id = 1")
        guard let row = try Row.fetchOne(statement) else {
            throw StoreError.backend("meta row is missing")
        }
        return (try row.decode(Int64.self, atIndex: 0), try row.decode(Int64.self, atIndex: 1))
    }

    /// One key's current state.
    static func keyValue(_ db: Database, _ key: String) throws -> KeyValue? {
        let statement = try db.cachedStatement(sql: """
            SELECT key, value, create_revision, mod_revision, version FROM kv WHERE key = ?
            """)
        return try Row.fetchOne(statement, arguments: [key]).map(keyValue(from:))
    }

    /// Every key with this prefix, in byte order.
    static func keyValues(_ db: Database, prefix: String) throws -> [KeyValue] {
        let (bounds, arguments) = prefixBounds(prefix)
        let statement = try db.cachedStatement(sql: """
            SELECT key, value, create_revision, mod_revision, version FROM kv
            WHERE \(bounds) ORDER BY key
            """)
        return try Row.fetchAll(statement, arguments: arguments).map(keyValue(from:))
    }

    /// Writes a plan's changes and history and bumps the revision.
    static func apply(_ plan: WritePlan, _ db: Database) throws {
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO kv (key, value, create_revision, mod_revision, version)
            VALUES (?, COALESCE(?, x''), ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET
                value = excluded.value, create_revision = excluded.create_revision,
                mod_revision = excluded.mod_revision, version = excluded.version
            """)
        for keyValue in plan.puts {
            try upsert.execute(arguments: [
                keyValue.key, keyValue.value, keyValue.createRevision, keyValue.modRevision, keyValue.version,
            ])
        }
        let delete = try db.cachedStatement(sql: "DELETE FROM kv WHERE key = ?")
        for key in plan.deletes {
            try delete.execute(arguments: [key])
        }
        let insertEvent = try db.cachedStatement(sql: """
            INSERT INTO event (revision, seq, key, kind, value, create_revision, version)
            VALUES (?, ?, ?, ?, COALESCE(?, x''), ?, ?)
            """)
        for (seq, event) in plan.events.enumerated() {
            switch event {
            case .put(let keyValue):
                try insertEvent.execute(arguments: [
                    plan.revision, seq, keyValue.key, "put", keyValue.value, keyValue.createRevision, keyValue.version,
                ])
            case .delete(let key, _):
                try insertEvent.execute(arguments: [plan.revision, seq, key, "delete", nil, nil, nil])
            }
        }
        try db.cachedStatement(sql: "UPDATE meta SET revision = ? WHERE id = 1").execute(arguments: [plan.revision])
    }

    /// Drops history up to and including `revision`.
    static func compact(_ db: Database, through revision: Int64) throws {
        try db.cachedStatement(sql: "DELETE FROM event WHERE revision <= ?").execute(arguments: [revision])
        try db.cachedStatement(sql: "UPDATE meta SET compacted_revision = ? WHERE id = 1")
            .execute(arguments: [revision])
    }

    /// Changes under `prefix` after `revision`, in order; throws `.compacted` if some were dropped.
    static func history(_ db: Database, prefix: String, after revision: Int64) throws -> WatchHub.Replay {
        let meta = try meta(db)
        guard revision >= meta.compacted else {
            throw StoreError.compacted(requested: revision, oldest: meta.compacted)
        }
        let (bounds, arguments) = prefixBounds(prefix)
        let statement = try db.cachedStatement(sql: """
            SELECT revision, key, kind, value, create_revision, version FROM event
            WHERE revision > ? AND \(bounds) ORDER BY revision, seq
            """)
        let rows = try Row.fetchAll(statement, arguments: [revision] + arguments)
        return WatchHub.Replay(events: try rows.map(event(from:)), revision: meta.revision)
    }

    /// A WHERE clause matching keys with this prefix through the primary key index.
    /// The upper bound may not be valid UTF-8, so it is bound as a blob and cast to text,
    /// which SQLite compares byte-wise.
    private static func prefixBounds(_ prefix: String) -> (String, StatementArguments) {
        guard let end = KeyOrder.prefixEnd(prefix) else { return ("key >= ?", [prefix]) }
        return ("key >= ? AND key < CAST(? AS TEXT)", [prefix, end])
    }

    private static func keyValue(from row: Row) throws -> KeyValue {
        KeyValue(
            key: try row.decode(String.self, atIndex: 0),
            value: try row.decode(Data.self, atIndex: 1),
            createRevision: try row.decode(Int64.self, atIndex: 2),
            modRevision: try row.decode(Int64.self, atIndex: 3),
            version: try row.decode(Int64.self, atIndex: 4))
    }

    private static func event(from row: Row) throws -> WatchEvent {
        let revision = try row.decode(Int64.self, atIndex: 0)
        let key = try row.decode(String.self, atIndex: 1)
        guard try row.decode(String.self, atIndex: 2) == "put" else {
            return .delete(key: key, revision: revision)
        }
        return .put(KeyValue(
            key: key,
            value: try row.decode(Data.self, atIndex: 3),
            createRevision: try row.decode(Int64.self, atIndex: 4),
            modRevision: revision,
            version: try row.decode(Int64.self, atIndex: 5)))
    }
}
