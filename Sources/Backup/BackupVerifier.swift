import Foundation
import JoistCore

/// Re-reads and re-hashes every chunk that manifests name, each chunk once however many backups
/// share it, and reports which are missing or corrupt and which backups they break.
public struct BackupVerifier: Sendable {
    public let store: ChunkStore

    public init(store: ChunkStore) { self.store = store }

    /// Checks the chunks of `manifests` (all the store's when nil; then unreadable manifests are
    /// reported too). Progress counts chunks, not bytes (`bytesDone` of `bytesTotal` chunks).
    public func verify(
        _ manifests: [BackupManifest]? = nil, progress: (@Sendable (BackupProgress) -> Void)? = nil
    ) async throws -> VerifyReport {
        let store = self.store
        let lock = try await BlockingWork.run { try StoreLock.shared(store.layout) }
        return try await withExtendedLifetimeAsync(lock) {
            var report = VerifyReport()
            let checked: [BackupManifest]
            if let manifests {
                checked = manifests
            } else {
                let listing = try await BlockingWork.run { try store.manifests() }
                checked = listing.manifests
                report.unreadableManifests = listing.unreadable.map { "\($0.path): \($0.reason)" }
            }
            report.backups = checked.count
            // Chunk → the indexes in `checked` of the manifests naming it.
            var users: [ChunkID: [Int]] = [:]
            for (index, manifest) in checked.enumerated() {
                for id in manifest.referencedChunks { users[id, default: []].append(index) }
            }
            var damage: [Int: Int] = [:]
            var tracker = ProgressTracker(total: UInt64(users.count), report: progress)
            for id in users.keys.sorted() {
                try Task.checkCancellation()
                do {
                    let bytes = try await BlockingWork.run { try store.read(id) }
                    report.bytesChecked += UInt64(bytes.count)
                } catch let error as ChunkError {
                    let owners = users[id] ?? []
                    report.problems.append(VerifyReport.Problem(error: error, backups: owners.map { checked[$0].id }.sorted()))
                    for owner in owners { damage[owner, default: 0] += 1 }
                }
                report.chunksChecked += 1
                tracker.advance(by: 1, disk: "")
            }
            report.damaged = damage.keys.sorted().map { index in
                let manifest = checked[index]
                return VerifyReport.DamagedBackup(
                    project: manifest.project, instance: manifest.instance, id: manifest.id, badChunks: damage[index] ?? 0)
            }
            return report
        }
    }
}

/// What `verify` found.
public struct VerifyReport: Sendable, Equatable {
    public var backups = 0
    public var chunksChecked = 0
    /// Uncompressed bytes of the intact chunks.
    public var bytesChecked: UInt64 = 0
    public var problems: [Problem] = []
    /// The backups that cannot be restored whole, in the order they were checked (oldest first when
    /// the store's manifests were listed), each with how many of its chunks are missing or corrupt.
    public var damaged: [DamagedBackup] = []
    /// Manifest files that could not be read, with why.
    public var unreadableManifests: [String] = []

    public var isClean: Bool { problems.isEmpty && unreadableManifests.isEmpty }

    public init() {}

    /// A missing or corrupt chunk and the backups that need it.
    public struct Problem: Sendable, Equatable {
        public var error: ChunkError
        public var backups: [BackupID]

        public init(error: ChunkError, backups: [BackupID]) {
            self.error = error
            self.backups = backups
        }
    }

    /// A backup at least one of whose chunks is missing or corrupt.
    public struct DamagedBackup: Sendable, Equatable {
        public var project: String
        public var instance: String
        public var id: BackupID
        public var badChunks: Int

        public init(project: String, instance: String, id: BackupID, badChunks: Int) {
            self.project = project
            self.instance = instance
            self.id = id
            self.badChunks = badChunks
        }
    }
}
