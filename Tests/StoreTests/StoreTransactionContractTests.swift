import Foundation
import Store
import Testing

/// Multi-key transactions: all or nothing, one revision.
@Suite("Store contract: transactions")
struct StoreTransactionContractTests {
    @Test("a transaction applies every write at one revision", arguments: Backend.all)
    func appliesAll(backend: Backend) async throws {
        try await backend.withStore { store in
            let start = try await store.put("/old", bytes("x"))
            let revision = try await store.commit(
                Transaction()
                    .expect("/old", .modRevision(start))
                    .expect("/new", .absent)
                    .put("/new", bytes("1"))
                    .put("/other", bytes("2"))
                    .delete("/old"))
            #expect(revision == start + 1)
            #expect(try await store.get("/new")?.modRevision == revision)
            #expect(try await store.get("/other")?.createRevision == revision)
            #expect(try await store.get("/old") == nil)
        }
    }

    @Test("a failing condition applies nothing and names the first failing key", arguments: Backend.all)
    func atomicity(backend: Backend) async throws {
        try await backend.withStore { store in
            let start = try await store.put("/a", bytes("1"))
            try await store.put("/b", bytes("1"))
            let transaction = Transaction()
                .expect("/a", .modRevision(start))
                .expect("/b", .absent)
                .expect("/c", .modRevision(99))
                .put("/a", bytes("2"))
                .put("/c", bytes("2"))
                .delete("/b")
            await #expect(throws: StoreError.conflict(key: "/b", expected: .absent, actualModRevision: start + 1)) {
                try await store.commit(transaction)
            }
            #expect(try await store.currentRevision() == start + 1)
            #expect(try await store.get("/a")?.value == bytes("1"))
            #expect(try await store.get("/b") != nil)
            #expect(try await store.get("/c") == nil)
        }
    }

    @Test("a transaction that changes nothing keeps the revision", arguments: Backend.all)
    func noChange(backend: Backend) async throws {
        try await backend.withStore { store in
            let start = try await store.put("/a", bytes("1"))
            #expect(try await store.commit(Transaction()) == start)
            #expect(try await store.commit(Transaction().expect("/a", .modRevision(start)).delete("/missing")) == start)
            #expect(try await store.currentRevision() == start)
        }
    }

    @Test("a later write of a key replaces the earlier one in the builder")
    func builderReplaces() {
        let transaction = Transaction()
            .put("/a", bytes("1"))
            .put("/b", bytes("1"))
            .delete("/a")
            .expect("/a", .any)
            .expect("/b", .absent)
        #expect(transaction.operations == [.put("/b", bytes("1")), .delete("/a")])
        #expect(transaction.conditions == [Transaction.Condition(key: "/b", expectation: .absent)])
    }
}
