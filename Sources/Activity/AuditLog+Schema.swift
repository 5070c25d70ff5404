import GRDB

extension AuditLog {
    /// The schema's migrations, applied in order when a log is opened.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: audit") { db in
            // AUTOINCREMENT: ids are never reused after a prune, so `after=` cursors stay valid.
            // `at` is seconds since 1970, so entries read back exactly as they were recorded.
            try db.execute(sql: """
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    actor TEXT NOT NULL,
                    role TEXT NOT NULL,
                    project TEXT,
                    action TEXT NOT NULL,
                    target TEXT,
                    method TEXT NOT NULL,
                    path TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    outcome TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'denied')),
                    error TEXT
                );
                CREATE INDEX audit_project ON audit (project, id);
                CREATE INDEX audit_actor ON audit (actor, id);
                CREATE INDEX audit_action ON audit (action, id);
                """)
        }
        return migrator
    }
}
