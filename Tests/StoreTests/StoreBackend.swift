import Foundation
import Store
import Testing

/// A store that can also drop history, as every backend in this suite can (etcd's `Compact`).
protocol CompactingStore: Store {
    @discardableResult
    func compact(keepingLast count: Int64) async throws -> Int64
}

extension InMemoryStore: CompactingStore {}
extension SQLiteStore: CompactingStore {}

/// One backend under the contract suite: how to make a fresh, empty store in a scratch directory.
struct Backend: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable (_ directory: URL, _ historyLimit: Int64) throws -> any CompactingStore

    var testDescription: String { name }

    static let inMemory = Backend(name: "InMemoryStore") { _, limit in InMemoryStore(historyLimit: limit) }
    static let sqlite = Backend(name: "SQLiteStore") { directory, limit in
        try SQLiteStore(path: directory.appending(path: "state.db").path, historyLimit: limit)
    }

    /// Every backend the contract suite runs against.
    static let all: [Backend] = [.inMemory, .sqlite]

    /// Runs `body` with a fresh store, then closes it and removes its files.
    func withStore(
        historyLimit: Int64 = 10_000,
        _ body: (any CompactingStore) async throws -> Void
    ) async throws {
        try await withScratchDirectory { directory in
            let store = try make(directory, historyLimit)
            do {
                try await body(store)
                await store.close()
            } catch {
                await store.close()
                throw error
            }
        }
    }
}

/// Runs `body` with a new empty directory that is removed afterwards.
func withScratchDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appending(path: "joist-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

/// Test bytes from a string.
func bytes(_ string: String) -> Data {
    Data(string.utf8)
}

/// The counter stored as decimal text, 0 when absent.
func counter(_ keyValue: KeyValue?) -> Int {
    keyValue.flatMap { Int(String(decoding: $0.value, as: UTF8.self)) } ?? 0
}

struct WatchTimedOut: Error {}

/// The first `count` events of `stream`, failing after `timeout` (a bound for a hang, not for speed:
/// a busy 2-core host has taken over 15 s). Iterating in a child task means the stream ends (and its
/// watcher is removed) when this returns.
func collect(
    _ count: Int,
    from stream: AsyncThrowingStream<WatchEvent, any Error>,
    timeout: Duration = .seconds(180)
) async throws -> [WatchEvent] {
    guard count > 0 else { return [] }
    return try await withThrowingTaskGroup(of: [WatchEvent].self) { group in
        group.addTask {
            var events: [WatchEvent] = []
            for try await event in stream {
                events.append(event)
                if events.count == count { break }
            }
            return events
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw WatchTimedOut()
        }
        defer { group.cancelAll() }
        return try await group.next() ?? []
    }
}
