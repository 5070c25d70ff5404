import Foundation
import Store
import Testing

/// Compare-and-swap under contention from many tasks.
@Suite("Store contract: concurrent writers")
struct StoreConcurrencyContractTests {
    @Test("50 concurrent CAS increments of one counter all land exactly once", arguments: Backend.all)
    func concurrentIncrements(backend: Backend) async throws {
        try await backend.withStore { store in
            let start = try await store.currentRevision()
            let successes = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await Self.increment("/counter", in: store) }
                }
                return try await group.reduce(0) { total, _ in total + 1 }
            }
            let final = try #require(try await store.get("/counter"))
            #expect(successes == 50)
            #expect(counter(final) == 50)
            #expect(final.version == 50)
            #expect(try await store.currentRevision() == start + 50)
        }
    }

    @Test("20 concurrent creates of one key: exactly one wins", arguments: Backend.all)
    func concurrentCreates(backend: Backend) async throws {
        try await backend.withStore { store in
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for writer in 0..<20 {
                    group.addTask {
                        do {
                            try await store.put("/lock", bytes("writer \(writer)"), expect: .absent)
                            return true
                        } catch StoreError.conflict(let key, let expected, let actual) {
                            #expect(key == "/lock" && expected == .absent && actual != nil)
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.count(where: { $0 }) == 1)
            #expect(try await store.get("/lock")?.version == 1)
        }
    }

    /// Reads the counter and writes it plus one, retrying on conflict; returns the attempts made.
    private static func increment(_ key: String, in store: any Store) async throws -> Int {
        for attempt in 1... {
            let current = try await store.get(key)
            do {
                try await store.put(key, bytes("\(counter(current) + 1)"), expect: .unchanged(since: current))
                return attempt
            } catch StoreError.conflict {
                await Task.yield()
            }
        }
        return 0
    }
}
