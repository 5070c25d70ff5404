import Foundation
import Store
import Testing

/// Reads, writes and compare-and-swap: the same expectations for every backend.
@Suite("Store contract: keys and revisions")
struct StoreContractTests {
    @Test("get of a missing key returns nil", arguments: Backend.all)
    func getMissing(backend: Backend) async throws {
        try await backend.withStore { store in
            let missing = try await store.get("/missing")
            #expect(missing == nil)
            #expect(try await store.currentRevision() == 0)
        }
    }

    @Test("put then get returns the value with revision metadata", arguments: Backend.all)
    func putGet(backend: Backend) async throws {
        try await backend.withStore { store in
            let revision = try await store.put("/a", bytes("one"))
            let keyValue = try #require(try await store.get("/a"))
            #expect(keyValue == KeyValue(key: "/a", value: bytes("one"), createRevision: revision, modRevision: revision, version: 1))
            #expect(try await store.currentRevision() == revision)
        }
    }

    @Test("an empty value round-trips", arguments: Backend.all)
    func emptyValue(backend: Backend) async throws {
        try await backend.withStore { store in
            try await store.put("/empty", Data())
            #expect(try await store.get("/empty")?.value == Data())
        }
    }

    @Test("every write bumps the revision by one", arguments: Backend.all)
    func revisionsMonotonic(backend: Backend) async throws {
        try await backend.withStore { store in
            var revisions: [Int64] = []
            for index in 0..<5 {
                revisions.append(try await store.put("/k\(index % 2)", bytes("\(index)")))
            }
            revisions.append(try await store.delete("/k0"))
            let start = try #require(revisions.first)
            #expect(revisions == Array(start...(start + 5)))
            #expect(try await store.currentRevision() == start + 5)
        }
    }

    @Test("an update keeps createRevision and increments version", arguments: Backend.all)
    func updateKeepsCreateRevision(backend: Backend) async throws {
        try await backend.withStore { store in
            let created = try await store.put("/a", bytes("1"))
            try await store.put("/other", bytes("x"))
            let updated = try await store.put("/a", bytes("2"))
            let keyValue = try #require(try await store.get("/a"))
            #expect(keyValue.createRevision == created)
            #expect(keyValue.modRevision == updated)
            #expect(keyValue.version == 2)
            #expect(keyValue.value == bytes("2"))
        }
    }

    @Test("deleting and re-creating a key starts a new life", arguments: Backend.all)
    func recreate(backend: Backend) async throws {
        try await backend.withStore { store in
            try await store.put("/a", bytes("1"))
            try await store.put("/a", bytes("2"))
            try await store.delete("/a")
            let recreated = try await store.put("/a", bytes("3"))
            let keyValue = try #require(try await store.get("/a"))
            #expect(keyValue.createRevision == recreated)
            #expect(keyValue.version == 1)
        }
    }

    @Test("compare-and-swap succeeds when the expectation holds", arguments: Backend.all)
    func casSuccess(backend: Backend) async throws {
        try await backend.withStore { store in
            let created = try await store.put("/a", bytes("1"), expect: .absent)
            let updated = try await store.put("/a", bytes("2"), expect: .modRevision(created))
            #expect(updated == created + 1)
            try await store.put("/b", bytes("1"), expect: .modRevision(0))
            #expect(try await store.get("/b")?.version == 1)
        }
    }

    @Test("compare-and-swap conflicts name the key, the expectation and what was found", arguments: Backend.all)
    func casConflicts(backend: Backend) async throws {
        try await backend.withStore { store in
            let created = try await store.put("/a", bytes("1"))
            await #expect(throws: StoreError.conflict(key: "/a", expected: .absent, actualModRevision: created)) {
                try await store.put("/a", bytes("2"), expect: .absent)
            }
            await #expect(throws: StoreError.conflict(key: "/a", expected: .modRevision(created + 7), actualModRevision: created)) {
                try await store.put("/a", bytes("2"), expect: .modRevision(created + 7))
            }
            await #expect(throws: StoreError.conflict(key: "/missing", expected: .modRevision(created), actualModRevision: nil)) {
                try await store.put("/missing", bytes("2"), expect: .modRevision(created))
            }
            #expect(try await store.get("/a")?.value == bytes("1"))
            #expect(try await store.get("/missing") == nil)
            #expect(try await store.currentRevision() == created)
        }
    }

    @Test("delete honours its expectation", arguments: Backend.all)
    func deleteExpectations(backend: Backend) async throws {
        try await backend.withStore { store in
            let created = try await store.put("/a", bytes("1"))
            await #expect(throws: StoreError.conflict(key: "/a", expected: .modRevision(created - 1), actualModRevision: created)) {
                try await store.delete("/a", expect: .modRevision(created - 1))
            }
            await #expect(throws: StoreError.conflict(key: "/a", expected: .absent, actualModRevision: created)) {
                try await store.delete("/a", expect: .absent)
            }
            let deleted = try await store.delete("/a", expect: .modRevision(created))
            #expect(deleted == created + 1)
            #expect(try await store.get("/a") == nil)
            await #expect(throws: StoreError.conflict(key: "/a", expected: .modRevision(created), actualModRevision: nil)) {
                try await store.delete("/a", expect: .modRevision(created))
            }
        }
    }

    @Test("deleting an absent key is a no-op that returns the current revision", arguments: Backend.all)
    func deleteAbsent(backend: Backend) async throws {
        try await backend.withStore { store in
            let revision = try await store.put("/a", bytes("1"))
            #expect(try await store.delete("/missing") == revision)
            #expect(try await store.delete("/missing", expect: .absent) == revision)
            #expect(try await store.currentRevision() == revision)
        }
    }

    @Test("range returns keys with the prefix sorted by bytes, and the revision it saw", arguments: Backend.all)
    func rangeByPrefix(backend: Backend) async throws {
        try await backend.withStore { store in
            for key in ["/a/2", "/ab", "/a/1", "/a", "/b/1", "/a/é", "/a/Z", "/a/a", "/a0"] {
                try await store.put(key, bytes(key))
            }
            let revision = try await store.currentRevision()
            let (items, seen) = try await store.range(prefix: "/a/")
            #expect(items.map(\.key) == ["/a/1", "/a/2", "/a/Z", "/a/a", "/a/é"])
            #expect(items.allSatisfy { $0.value == bytes($0.key) })
            #expect(seen == revision)
            #expect(try await store.range(prefix: "/ab").items.map(\.key) == ["/ab"])
            #expect(try await store.range(prefix: "/c/").items.isEmpty)
            #expect(try await store.range(prefix: "").items.count == 9)
        }
    }

    @Test("range by a prefix ending in a multi-byte character", arguments: Backend.all)
    func rangeUnicodePrefix(backend: Backend) async throws {
        try await backend.withStore { store in
            for key in ["/ü/x", "/üy", "/ý", "/u"] {
                try await store.put(key, bytes(key))
            }
            #expect(try await store.range(prefix: "/ü").items.map(\.key) == ["/ü/x", "/üy"])
            #expect(try await store.range(prefix: "/ü/").items.map(\.key) == ["/ü/x"])
        }
    }
}
