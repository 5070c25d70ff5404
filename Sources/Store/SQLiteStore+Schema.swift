import GRDB

extension SQLiteStore {
    /// The schema's migrations, applied in order when a store is opened.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: kv, event, meta") { db in
            // Current state: one row per live key. WITHOUT ROWID keeps rows in key order for ranges.
            try db.execute(sql: """
                CREATE TABLE kv (
                    key TEXT PRIMARY KEY NOT NULL,
                    value BLOB NOT NULL,
                    create_revision INTEGER NOT NULL,
                    mod_revision INTEGER NOT NULL,
                    version INTEGER NOT NULL
                ) WITHOUT ROWID
                """)
            // History for watches: one row per change, `seq` orders the changes of one revision.
            try db.execute(sql: """
                CREATE TABLE event (
                    revision INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    key TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('put', 'delete')),
                    value BLOB,
                    create_revision INTEGER,
                    version INTEGER,
                    PRIMARY KEY (revision, seq)
                ) WITHOUT ROWID
                """)
            // The revision counter lives in its own row so it never resets, even when every key is deleted.
            try db.execute(sql: """
                CREATE TABLE meta (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    revision INTEGER NOT NULL,
                    compacted_revision INTEGER NOT NULL
                );
                INSERT INTO meta (id, revision, compacted_revision) VALUES (1, 0, 0);
                """)
        }
        return migrator
    }
}
