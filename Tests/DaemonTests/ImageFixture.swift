import Activity
import Daemon
import Foundation
import HostKit
import JoistAPI
import JoistCore
import Logging
import QEMUDriver
import Storage
import Store
import Testing

/// An image manager over a real state directory (real files, qemu-img, the `dir` driver for the
/// `default` pool) and an in-memory store; `restarted()` is the next daemon start on the same store
/// and directory. `cleanUp()` removes everything.
struct ImageFixture {
    let store: FailingStore
    let directory: String
    let events: EventBus
    let projects: ProjectRegistry
    let storage: StorageManager
    let images: ImageManager

    static func make() async throws -> ImageFixture {
        let directory = FileManager.default.temporaryDirectory.appending(path: "ji-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory + "/files", withIntermediateDirectories: true)
        let fixture = started(store: FailingStore(), directory: directory)
        try await fixture.load()
        return fixture
    }

    private static func started(store: FailingStore, directory: String) -> ImageFixture {
        let events = EventBus()
        let env = DaemonEnvironment(
            stateDirectory: directory + "/state", store: store, accelerators: AcceleratorResolver(probe: NoKVM()), events: events,
            logger: Logger(label: "image-test"))
        let projects = ProjectRegistry(store: store)
        let storage = StorageManager(env: env, projects: projects)
        return ImageFixture(
            store: store, directory: directory, events: events, projects: projects, storage: storage,
            images: ImageManager(env: env, storage: storage, reserve: 0))
    }

    private func load() async throws {
        try await projects.load()
        try await storage.load()
        try await images.load()
    }

    /// The next daemon on the same store and files.
    func restarted() async throws -> ImageFixture {
        let next = Self.started(store: store, directory: directory)
        try await next.load()
        return next
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }

    var imagesFolder: String { directory + "/state/images" }
    var stagingFolder: String { directory + "/state/staging" }

    /// Names in the image store's folder and in the staging folder.
    func storedFiles() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: imagesFolder).sorted() }
    func stagedFiles() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: stagingFolder).sorted() }

    /// A qcow2 file of `size` in the test's own folder, with `pattern` written into its first MiB.
    func qcow2(_ name: String, size: String = "64M", pattern: UInt8 = 0x11) async throws -> String {
        let path = directory + "/files/" + name
        try await tool("qemu-img", ["create", "-q", "-f", "qcow2", path, size])
        try await tool("qemu-io", ["-f", "qcow2", "-c", "write -P \(pattern) 0 1M", path])
        return path
    }

    /// Imports the file at `path` the way a path import does: copied into staging, then stored.
    @discardableResult
    func importFile(_ path: String, alias: String? = nil) async throws -> ImportedImage {
        let staged = try await images.stage(file: path, progress: nil)
        return try await images.importStaged(staged, origin: path, alias: alias)
    }

    /// Runs a host tool that must succeed; returns its stdout.
    @discardableResult
    func tool(_ name: String, _ arguments: [String]) async throws -> String {
        let executable = try #require(HostCommand.locate(name), "\(name) is not installed (scripts/install-deps)")
        return try await HostCommand(executable, arguments).check(name).stdout
    }

    /// Whether the qcow2 file reads `pattern` in the MiB at `offset`.
    func reads(_ path: String, pattern: UInt8, at offset: UInt64 = 0) async throws -> Bool {
        let executable = try #require(HostCommand.locate("qemu-io"))
        let output = try await HostCommand(executable, ["-f", "qcow2", "-c", "read -P \(pattern) \(offset) 1M", path]).run()
        return output.succeeded && !output.stdout.contains("Pattern verification failed")
    }
}
