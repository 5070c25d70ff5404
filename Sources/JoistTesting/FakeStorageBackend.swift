import Foundation
public import JoistCore
public import Storage
import Synchronization

/// A `StorageBackend` that keeps its volumes in memory, so what sits above the drivers (the storage
/// manager, the API) is tested without files or qemu-img. Any step can be told to fail once; the
/// filesystem's capacity and the bytes each volume has written are set by the test.
///
/// It behaves like the `dir` driver where that matters: linked clones of qcow2 volumes read their
/// source (`CloneKind.linked`), full copies report progress, `destroy` refuses while volumes remain.
public final class FakeStorageBackend: StorageBackend {
    /// The backend's methods, to make one fail or to count calls.
    public enum Step: String, Sendable, Hashable, CaseIterable {
        case prepare, destroy, sweep, space, volumes, create, delete, resize, clone, inspect, createOverlay, importImage
        case exportImage
    }

    /// One volume as the fake keeps it.
    public struct Volume: Sendable, Equatable {
        public var size: UInt64
        /// Bytes on disk.
        public var written: UInt64
        /// For a linked clone, the volume whose data it reads.
        public var backing: VolumeHandle?
        /// For an overlay of a file outside the pool (an image), that file's path.
        public var backingFile: String?

        public init(size: UInt64, written: UInt64 = 0, backing: VolumeHandle? = nil, backingFile: String? = nil) {
            self.size = size
            self.written = written
            self.backing = backing
            self.backingFile = backingFile
        }
    }

    private struct State {
        var prepared = false
        var volumes: [VolumeHandle: Volume] = [:]
        var leftovers: [String] = []
        var failures: [Step: JoistError] = [:]
        var held: Set<Step> = []
        var capacity: UInt64
        var otherUsed: UInt64 = 0
        var calls: [Step] = []
    }

    public let kind: StorageDriverKind
    public let root: String
    private let state: Mutex<State>

    public init(kind: StorageDriverKind = .dir, root: String, capacity: UInt64 = 100 << 30) {
        self.kind = kind
        self.root = root
        self.state = Mutex(State(capacity: capacity))
    }

    // MARK: Steering

    /// Makes the next call of `step` throw `error`.
    public func fail(_ step: Step, with error: JoistError = .hostFailure("the fake backend was told to fail")) {
        state.withLock { $0.failures[step] = error }
    }

    /// Makes every later call of `step` (`importImage`, `exportImage`) report 10% and then wait until
    /// its task is cancelled, as a long conversion would.
    public func hold(_ step: Step) {
        state.withLock { _ = $0.held.insert(step) }
    }

    /// Whether calls of `step` wait to be cancelled.
    private func isHeld(_ step: Step) -> Bool {
        state.withLock { $0.held.contains(step) }
    }

    /// The filesystem's size, and the bytes files other than volumes take on it.
    public func setSpace(capacity: UInt64, otherUsed: UInt64 = 0) {
        state.withLock {
            $0.capacity = capacity
            $0.otherUsed = otherUsed
        }
    }

    /// A guest writing: the volume now takes `bytes` on disk.
    public func write(_ volume: VolumeHandle, bytes: UInt64) {
        state.withLock { $0.volumes[volume]?.written = bytes }
    }

    /// Puts a volume in place without the manager knowing, as a crash after the rename would leave it.
    public func place(_ volume: VolumeHandle, _ contents: Volume) {
        state.withLock { $0.volumes[volume] = contents }
    }

    /// Removes a volume's file behind the manager's back.
    public func remove(_ volume: VolumeHandle) {
        _ = state.withLock { $0.volumes.removeValue(forKey: volume) }
    }

    /// A temporary an interrupted operation left, for `sweep` to find.
    public func leave(_ path: String) {
        state.withLock { $0.leftovers.append(path) }
    }

    /// The volumes as the fake keeps them.
    public var stored: [VolumeHandle: Volume] { state.withLock { $0.volumes } }
    /// Whether the pool's folders exist (`prepare` ran, `destroy` did not).
    public var isPrepared: Bool { state.withLock { $0.prepared } }
    /// Every call so far, in order.
    public var calls: [Step] { state.withLock { $0.calls } }

    // MARK: StorageBackend

    public func prepare() async throws {
        try step(.prepare) { $0.prepared = true }
    }

    public func destroy() async throws {
        try step(.destroy) { state in
            guard state.volumes.isEmpty else { throw JoistError.invalidState("pool folder \(root) still holds volumes") }
            state.prepared = false
        }
    }

    public func sweep() async throws -> [String] {
        try step(.sweep) { state in
            defer { state.leftovers = [] }
            return state.leftovers
        }
    }

    public func space() throws -> FilesystemSpace {
        try step(.space) { state in
            let taken = state.otherUsed + state.volumes.values.reduce(0) { $0 + $1.written }
            return FilesystemSpace(capacity: state.capacity, free: state.capacity > taken ? state.capacity - taken : 0)
        }
    }

    public func path(of volume: VolumeHandle) -> String {
        "\(root)/volumes/\(volume.project)/\(volume.name).\(volume.format.rawValue)"
    }

    public func exists(_ volume: VolumeHandle) -> Bool {
        state.withLock { $0.volumes[volume] != nil }
    }

    public func volumes() throws -> [VolumeHandle] {
        try step(.volumes) { state in state.volumes.keys.sorted { ($0.project, $0.name) < ($1.project, $1.name) } }
    }

    public func create(_ volume: VolumeHandle, size: UInt64) async throws {
        try step(.create) { state in
            guard state.volumes[volume] == nil else { throw JoistError.alreadyExists("volume \(volume) already exists on disk") }
            state.volumes[volume] = Volume(size: size, written: volume.format == .qcow2 ? 196_608 : 0)
        }
    }

    public func delete(_ volume: VolumeHandle) async throws {
        try step(.delete) { state in
            guard state.volumes[volume] != nil else { throw JoistError.notFound("volume \(volume) not found on disk") }
            guard !state.volumes.values.contains(where: { $0.backing == volume }) else {
                throw JoistError.invalidState("cannot delete volume \(volume): linked clones read from it")
            }
            state.volumes.removeValue(forKey: volume)
        }
    }

    public func resize(_ volume: VolumeHandle, to size: UInt64, allowShrink: Bool) async throws {
        try step(.resize) { state in
            guard let current = state.volumes[volume] else { throw JoistError.notFound("volume \(volume) not found on disk") }
            guard size >= current.size || allowShrink else { throw JoistError.invalidArgument("shrinking needs allowShrink") }
            state.volumes[volume]?.size = size
        }
    }

    public func clone(_ source: VolumeHandle, to target: VolumeHandle, linked: Bool, progress: ProgressHandler?) async throws -> CloneKind {
        let kind: CloneKind = try step(.clone) { state in
            guard let original = state.volumes[source] else { throw JoistError.notFound("volume \(source) not found on disk") }
            guard state.volumes[target] == nil else { throw JoistError.alreadyExists("volume \(target) already exists on disk") }
            let isLinked = linked && source.format == .qcow2
            state.volumes[target] = isLinked
                ? Volume(size: original.size, written: 196_608, backing: source) : Volume(size: original.size, written: original.written)
            return isLinked ? .linked : .independent
        }
        if kind == .independent {
            progress?(0.5)
            progress?(1)
        }
        return kind
    }

    public func bytesOnDisk(_ volume: VolumeHandle) throws -> UInt64 {
        try step(.inspect) { state in
            guard let stored = state.volumes[volume] else { throw JoistError.notFound("volume \(volume) not found on disk") }
            return stored.written
        }
    }

    public func inspect(_ volume: VolumeHandle) async throws -> ImageInfo {
        try step(.inspect) { state in
            guard let stored = state.volumes[volume] else { throw JoistError.notFound("volume \(volume) not found on disk") }
            let backing = stored.backing.map(path(of:)) ?? stored.backingFile
            return ImageInfo(
                filename: path(of: volume), format: volume.format.rawValue, virtualSize: stored.size, actualSize: stored.written,
                backingFilename: backing, fullBackingFilename: backing,
                backingFilenameFormat: stored.backing?.format.rawValue ?? (stored.backingFile == nil ? nil : "qcow2"))
        }
    }

    public func createOverlay(_ volume: VolumeHandle, backing: QemuImg.Backing, size: UInt64) async throws {
        try step(.createOverlay) { state in
            guard volume.format == .qcow2 else { throw JoistError.invalidArgument("an overlay must be qcow2") }
            guard state.volumes[volume] == nil else { throw JoistError.alreadyExists("volume \(volume) already exists on disk") }
            state.volumes[volume] = Volume(size: size, written: 196_608, backingFile: backing.path)
        }
    }

    public func dependents(of volume: VolumeHandle) throws -> [VolumeHandle] {
        state.withLock { state in
            state.volumes.filter { $0.value.backing == volume }.keys.sorted { ($0.project, $0.name) < ($1.project, $1.name) }
        }
    }

    /// Takes the source's virtual size from qemu-img (the files tests import are real images) and keeps
    /// the volume in memory; reports 50% and 100%.
    public func importImage(from source: String, sourceFormat: ImageFileFormat, as volume: VolumeHandle, progress: ProgressHandler?)
        async throws
    {
        let size = try await QemuImg().info(source, format: sourceFormat).virtualSize
        try await waitIfHeld(.importImage, progress: progress)
        try step(.importImage) { state in
            guard state.volumes[volume] == nil else { throw JoistError.alreadyExists("volume \(volume) already exists on disk") }
        }
        progress?(0.5)
        place(volume, Volume(size: size, written: size / 2))
        progress?(1)
    }

    /// Writes a small text file naming the volume and format (not an image) through a temporary beside
    /// `destination`, as the real drivers do; reports 50% and 100%.
    public func exportImage(
        _ volume: VolumeHandle, to destination: String, format: ImageFileFormat, replacing: Bool, progress: ProgressHandler?
    ) async throws {
        try await waitIfHeld(.exportImage, progress: progress)
        let stored = try step(.exportImage) { state -> Volume in
            guard let stored = state.volumes[volume] else { throw JoistError.notFound("volume \(volume) not found on disk") }
            return stored
        }
        guard replacing || !FileManager.default.fileExists(atPath: destination) else {
            throw JoistError.alreadyExists("cannot write \(destination): a file exists there already")
        }
        progress?(0.5)
        let folder = URL(fileURLWithPath: destination).deletingLastPathComponent()
        let temporary = folder.appending(path: ".joist-tmp-\(String(repeating: "0", count: 16))-\(URL(fileURLWithPath: destination).lastPathComponent)")
        try Data(Self.exportContents(volume, format: format, size: stored.size).utf8).write(to: temporary)
        guard rename(temporary.path, destination) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw JoistError.hostFailure("cannot move the export into place at \(destination)")
        }
        progress?(1)
    }

    /// What `exportImage` writes for a volume.
    public static func exportContents(_ volume: VolumeHandle, format: ImageFileFormat, size: UInt64) -> String {
        "fake \(format.rawValue) image of volume \(volume), \(size) bytes\n"
    }

    private func waitIfHeld(_ step: Step, progress: ProgressHandler?) async throws {
        guard isHeld(step) else { return }
        progress?(0.1)
        while true { try await Task.sleep(for: .seconds(3600)) }
    }

    /// Records the call, throws the failure set for `step` (once), else runs `body` on the state.
    private func step<T>(_ step: Step, _ body: (inout State) throws -> T) throws -> T {
        try state.withLock { state in
            state.calls.append(step)
            if let failure = state.failures.removeValue(forKey: step) { throw failure }
            return try body(&state)
        }
    }
}

/// The fake backends of every pool a test's daemon makes, one per folder, so a restarted manager
/// finds the volumes the previous one left. Pass `backend` as `DaemonEnvironment.storageBackend`.
public final class FakeStorageHost: Sendable {
    private let backends = Mutex<[String: FakeStorageBackend]>([:])
    private let capacity: UInt64

    public init(capacity: UInt64 = 100 << 30) {
        self.capacity = capacity
    }

    /// The backend of the pool at `root`, made on first use.
    public func backend(_ kind: StorageDriverKind, _ root: String) -> any StorageBackend {
        self[root, kind]
    }

    /// The fake behind the pool at `root`.
    public subscript(root: String, kind: StorageDriverKind = .dir) -> FakeStorageBackend {
        backends.withLock { backends in
            if let backend = backends[root] { return backend }
            let backend = FakeStorageBackend(kind: kind, root: root, capacity: capacity)
            backends[root] = backend
            return backend
        }
    }
}
