extension SQLiteStore {
    /// Changes under `prefix` after `afterRevision`: history from the `event` table, then live
    /// changes published after each commit.
    public func watch(prefix: String, afterRevision: Int64) -> AsyncThrowingStream<WatchEvent, any Error> {
        hub.stream(prefix: prefix, afterRevision: afterRevision) {
            try await self.read { db in try Self.history(db, prefix: prefix, after: afterRevision) }
        }
    }
}
