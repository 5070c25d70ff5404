import Foundation
import Store
import Testing

/// Watches: history replay, the hand-over to live changes, prefixes, compaction and ending.
@Suite("Store contract: watch")
struct StoreWatchContractTests {
    @Test("watch replays history after a revision, then streams live changes in order", arguments: Backend.all)
    func replayThenLive(backend: Backend) async throws {
        try await backend.withStore { store in
            let first = try await store.put("/w/a", bytes("1"))
            let second = try await store.put("/w/b", bytes("1"))
            let third = try await store.put("/w/a", bytes("2"))
            let watcher = Task { try await collect(4, from: store.watch(prefix: "/w/", afterRevision: first)) }
            let deleted = try await store.delete("/w/b")
            let recreated = try await store.put("/w/b", bytes("3"))
            let events = try await watcher.value
            #expect(events.map(\.revision) == [second, third, deleted, recreated])
            #expect(events.map(\.key) == ["/w/b", "/w/a", "/w/b", "/w/b"])
            #expect(events[1] == .put(KeyValue(key: "/w/a", value: bytes("2"), createRevision: first, modRevision: third, version: 2)))
            #expect(events[2] == .delete(key: "/w/b", revision: deleted))
        }
    }

    @Test("watch filters by prefix without leaking neighbouring keys", arguments: Backend.all)
    func prefixFilter(backend: Backend) async throws {
        try await backend.withStore { store in
            try await store.put("/a/1", bytes("in"))
            try await store.put("/ab", bytes("out"))
            let watcher = Task { try await collect(3, from: store.watch(prefix: "/a/", afterRevision: 0)) }
            try await store.put("/ab", bytes("out"))
            try await store.put("/b/1", bytes("out"))
            try await store.put("/a/2", bytes("in"))
            try await store.delete("/ab")
            try await store.delete("/a/1")
            let events = try await watcher.value
            #expect(events.map(\.key) == ["/a/1", "/a/2", "/a/1"])
        }
    }

    @Test("a transaction's changes arrive together at one revision, in operation order", arguments: Backend.all)
    func transactionEvents(backend: Backend) async throws {
        try await backend.withStore { store in
            let start = try await store.put("/t/x", bytes("0"))
            let watcher = Task { try await collect(3, from: store.watch(prefix: "/t/", afterRevision: start)) }
            let revision = try await store.commit(
                Transaction().put("/t/b", bytes("1")).delete("/t/x").put("/t/a", bytes("1")))
            let events = try await watcher.value
            #expect(events.map(\.key) == ["/t/b", "/t/x", "/t/a"])
            #expect(events.allSatisfy { $0.revision == revision })
        }
    }

    @Test("watches started during a burst of writes see each later revision exactly once", arguments: Backend.all)
    func noGapsOrDuplicates(backend: Backend) async throws {
        try await backend.withStore { store in
            let writes: Int64 = 400
            let writer = Task {
                for index in 0..<writes {
                    try await store.put("/burst/\(index % 7)", bytes("\(index)"))
                    await Task.yield()
                }
            }
            var watchers: [(after: Int64, events: Task<[WatchEvent], any Error>)] = []
            for threshold: Int64 in [50, 150, 250] {
                while try await store.currentRevision() < threshold { await Task.yield() }
                let after = try await store.currentRevision()
                let stream = store.watch(prefix: "/burst/", afterRevision: after)
                // The writer may be starved on a loaded machine: a missed event still fails, only later.
                watchers.append((after, Task { try await collect(Int(writes - after), from: stream, timeout: .seconds(120)) }))
            }
            try await writer.value
            for (after, events) in watchers {
                let revisions = try await events.value.map(\.revision)
                #expect(revisions == Array(stride(from: after + 1, through: writes, by: 1)), "watch after \(after)")
            }
        }
    }

    @Test("watch from the current revision sees only later changes", arguments: Backend.all)
    func watchFromNow(backend: Backend) async throws {
        try await backend.withStore { store in
            try await store.put("/n/old", bytes("1"))
            let now = try await store.currentRevision()
            let watcher = Task { try await collect(1, from: store.watch(prefix: "/n/", afterRevision: now)) }
            let revision = try await store.put("/n/new", bytes("1"))
            #expect(try await watcher.value.map(\.revision) == [revision])
        }
    }

    @Test("watch from a compacted revision throws compacted", arguments: Backend.all)
    func compacted(backend: Backend) async throws {
        try await backend.withStore { store in
            for index in 0..<10 { try await store.put("/c/\(index)", bytes("x")) }
            let oldest = try await store.compact(keepingLast: 4)
            #expect(oldest == 6)
            await #expect(throws: StoreError.compacted(requested: 2, oldest: 6)) {
                _ = try await collect(1, from: store.watch(prefix: "/c/", afterRevision: 2))
            }
            let events = try await collect(4, from: store.watch(prefix: "/c/", afterRevision: oldest))
            #expect(events.map(\.revision) == [7, 8, 9, 10])
        }
    }

    @Test("history is trimmed to the limit as writes go on", arguments: Backend.all)
    func historyLimit(backend: Backend) async throws {
        try await backend.withStore(historyLimit: 20) { store in
            for index in 0..<60 { try await store.put("/h/\(index % 3)", bytes("\(index)")) }
            await #expect(throws: StoreError.self) {
                _ = try await collect(1, from: store.watch(prefix: "/h/", afterRevision: 0))
            }
            let events = try await collect(20, from: store.watch(prefix: "/h/", afterRevision: 40))
            #expect(events.map(\.revision) == Array(41...60))
        }
    }

    @Test("closing the store ends its watches", arguments: Backend.all)
    func closeEndsWatch(backend: Backend) async throws {
        try await backend.withStore { store in
            let stream = store.watch(prefix: "/", afterRevision: 0)
            let watcher = Task {
                var count = 0
                for try await _ in stream { count += 1 }
                return count
            }
            try await store.put("/x", bytes("1"))
            while try await store.currentRevision() < 1 { await Task.yield() }
            await store.close()
            let count = try await watcher.value
            #expect(count <= 1)
            await #expect(throws: StoreError.closed) { try await store.get("/x") }
            await #expect(throws: StoreError.closed) {
                for try await _ in store.watch(prefix: "/", afterRevision: 0) {}
            }
        }
    }

    @Test("cancelling the watching task ends the stream", arguments: Backend.all)
    func cancelEndsWatch(backend: Backend) async throws {
        try await backend.withStore { store in
            let watcher = Task {
                for try await _ in store.watch(prefix: "/", afterRevision: 0) {}
            }
            try await store.put("/x", bytes("1"))
            watcher.cancel()
            try await watcher.value
            try await store.put("/y", bytes("1"))
        }
    }
}
