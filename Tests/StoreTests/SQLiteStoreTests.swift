import Foundation
import Store
import Testing

/// What only a durable backend promises: state and the revision counter survive a restart.
@Suite("SQLiteStore")
struct SQLiteStoreTests {
    @Test("reopening keeps data and the revision continues")
    func reopen() async throws {
        try await withScratchDirectory { directory in
            let path = directory.appending(path: "state.db").path
            let first = try SQLiteStore(path: path)
            let created = try await first.put("/a", bytes("1"))
            try await first.put("/gone", bytes("1"))
            let last = try await first.delete("/gone")
            await first.close()

            let second = try SQLiteStore(path: path)
            #expect(try await second.currentRevision() == last)
            #expect(try await second.get("/a") == KeyValue(key: "/a", value: bytes("1"), createRevision: created, modRevision: created, version: 1))
            #expect(try await second.get("/gone") == nil)
            #expect(try await second.put("/b", bytes("1")) == last + 1)
            let events = try await collect(3, from: second.watch(prefix: "/", afterRevision: 0))
            #expect(events.map(\.revision) == [created, created + 1, last])
            await second.close()
        }
    }

    @Test("compaction survives a reopen")
    func compactionPersists() async throws {
        try await withScratchDirectory { directory in
            let path = directory.appending(path: "state.db").path
            let first = try SQLiteStore(path: path)
            for index in 0..<5 { try await first.put("/k", bytes("\(index)")) }
            try await first.compact(keepingLast: 2)
            await first.close()

            let second = try SQLiteStore(path: path)
            await #expect(throws: StoreError.compacted(requested: 1, oldest: 3)) {
                _ = try await collect(1, from: second.watch(prefix: "/", afterRevision: 1))
            }
            await second.close()
        }
    }

    @Test("opening a path in a missing directory fails with a backend error")
    func openFailure() {
        #expect(throws: StoreError.self) {
            try SQLiteStore(path: "/nonexistent-joist-dir/state.db")
        }
    }

    @Test("1,000 sequential creates each get their own revision and all read back (speed: B2 in Benchmarks/)")
    func manyCreates() async throws {
        try await withScratchDirectory { directory in
            let store = try SQLiteStore(path: directory.appending(path: "state.db").path)
            let document = bytes(String(repeating: "{\"spec\":\"x\"}", count: 40))
            var revisions: [Int64] = []
            for index in 0..<1_000 {
                revisions.append(try await store.put("/projects/default/instances/vm-\(index)", document, expect: .absent))
            }
            #expect(revisions == revisions.sorted() && Set(revisions).count == 1_000)
            let (items, _) = try await store.range(prefix: "/projects/default/instances/")
            #expect(items.count == 1_000)
            await store.close()
        }
    }
}
