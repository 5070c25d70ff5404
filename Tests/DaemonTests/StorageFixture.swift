import Activity
import Daemon
import Foundation
import JoistAPI
import JoistCore
import JoistTesting
import Logging
import QEMUDriver
import Storage
import Store
import Synchronization

/// A storage manager on an in-memory store and fake backends, with a project `team` whose disk is
/// limited; `restarted()` is the next daemon start on the same store and "disks".
struct StorageFixture {
    let store: FailingStore
    let host: FakeStorageHost
    let events: EventBus
    let stateDirectory: String
    let projects: ProjectRegistry
    let manager: StorageManager

    static func make(capacity: UInt64 = 100 << 30, teamDisk: ByteSize = .gibibytes(10)) async throws -> StorageFixture {
        let fixture = Self.started(
            store: FailingStore(), host: FakeStorageHost(capacity: capacity),
            stateDirectory: "/tmp/js-\(UUID().uuidString.prefix(8))")
        try await fixture.projects.load()
        _ = try await fixture.projects.create(ProjectCreate(name: "team", limits: ProjectLimits(disk: teamDisk)))
        try await fixture.manager.load()
        return fixture
    }

    private static func started(store: FailingStore, host: FakeStorageHost, stateDirectory: String) -> StorageFixture {
        let events = EventBus()
        let env = DaemonEnvironment(
            stateDirectory: stateDirectory, store: store, accelerators: AcceleratorResolver(probe: NoKVM()), events: events,
            storageBackend: host.backend, logger: Logger(label: "storage-test"))
        let projects = ProjectRegistry(store: store)
        return StorageFixture(
            store: store, host: host, events: events, stateDirectory: stateDirectory, projects: projects,
            manager: StorageManager(env: env, projects: projects))
    }

    /// The next daemon: a new registry and manager, loaded from the same store and backends.
    func restarted() async throws -> StorageFixture {
        let next = Self.started(store: store, host: host, stateDirectory: stateDirectory)
        try await next.projects.load()
        try await next.manager.load()
        return next
    }

    /// The fake behind the `default` pool.
    var defaultPool: FakeStorageBackend { host[stateDirectory + "/storage/default"] }

    /// The fake behind the pool at `path`.
    func backend(_ path: String) -> FakeStorageBackend { host[path] }

    @discardableResult
    func create(
        _ name: String, size: String = "1GiB", format: DiskFormat? = .raw, pool: String = "default", in project: String = "default"
    ) async throws -> StorageVolume {
        try await manager.createVolume(StorageVolumeCreate(name: name, size: size, format: format), pool: pool, project: project)
    }

    func handle(_ name: String, format: DiskFormat = .raw, in project: String = "default") throws -> VolumeHandle {
        try VolumeHandle(project: project, name: name, format: format)
    }

    func diskUsage(_ project: String = "default") async throws -> ByteSize {
        try await projects.info(project).usage.disk
    }
}

/// An in-memory store whose next write under a prefix can be made to fail, to test what a change
/// undoes when its last step (recording) fails.
final class FailingStore: Store {
    private let inner = InMemoryStore()
    private let failures = Mutex<[String]>([])

    struct Refused: Error, CustomStringConvertible {
        var description: String { "the store was told to refuse this write" }
    }

    /// Makes the next put or delete (alone or in a transaction) of a key starting with `prefix` fail.
    func failNextWrite(under prefix: String) {
        failures.withLock { $0.append(prefix) }
    }

    private func check(_ key: String) throws {
        let refused = failures.withLock { failures -> Bool in
            guard let index = failures.firstIndex(where: { key.hasPrefix($0) }) else { return false }
            failures.remove(at: index)
            return true
        }
        if refused { throw Refused() }
    }

    func get(_ key: String) async throws -> KeyValue? { try await inner.get(key) }
    func range(prefix: String) async throws -> (items: [KeyValue], revision: Int64) { try await inner.range(prefix: prefix) }

    func put(_ key: String, _ value: Data, expect: Expectation) async throws -> Int64 {
        try check(key)
        return try await inner.put(key, value, expect: expect)
    }

    func delete(_ key: String, expect: Expectation) async throws -> Int64 {
        try check(key)
        return try await inner.delete(key, expect: expect)
    }

    func commit(_ transaction: Transaction) async throws -> Int64 {
        for operation in transaction.operations { try check(operation.key) }
        return try await inner.commit(transaction)
    }
    func watch(prefix: String, afterRevision: Int64) -> AsyncThrowingStream<WatchEvent, any Error> {
        inner.watch(prefix: prefix, afterRevision: afterRevision)
    }
    func currentRevision() async throws -> Int64 { try await inner.currentRevision() }
    func close() async { await inner.close() }
}

/// Values a callback saw, in order.
final class Recorder<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])

    func append(_ value: Value) { values.withLock { $0.append(value) } }
    var all: [Value] { values.withLock { $0 } }
}
