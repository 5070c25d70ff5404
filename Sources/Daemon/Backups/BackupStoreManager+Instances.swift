public import Backup
public import JoistAPI
import JoistCore

/// An instance's backups across the stores.
extension BackupStoreManager {
    /// The backups of `instance` in every store that can be read, oldest first; a store whose folder
    /// is missing is passed over (logged), so one unmounted disk does not hide the rest.
    public func backups(of instance: String, in project: String) async -> [InstanceBackup] {
        var found: [InstanceBackup] = []
        for name in entries.keys.sorted() {
            do {
                let manifests = try await withStore(name) { store in try store.manifests(project: project, instance: instance).manifests }
                found += manifests.map { InstanceBackup($0, store: name) }
            } catch {
                logger.warning("cannot list the backups of \(project)/\(instance) in backup store \(name): \(error)")
            }
        }
        return found.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    /// Deletes the manifest of a backup the previous daemon left unfinished, if it got as far as
    /// writing one: its view was never confirmed intact, and its operation is reported failed, so it
    /// must not stand as a backup. Its chunks go with the store's next gc. Returns whether one was deleted.
    @discardableResult
    public func discardInterrupted(_ note: BackupInProgress, of instance: String, in project: String) async -> Bool {
        guard let name = entries.values.first(where: { $0.store.path == note.storePath })?.store.name,
            let id = try? BackupID(note.backup)
        else { return false }
        do {
            return try await withStore(name) { store in
                guard (try? store.manifest(project: project, instance: instance, id: id)) != nil else { return false }
                try store.deleteManifest(project: project, instance: instance, id: id)
                return true
            }
        } catch {
            logger.error("cannot delete the manifest of interrupted backup \(id) of \(project)/\(instance) in backup store \(name): \(error)")
            return false
        }
    }

    /// Every backup of the project's instances in store `name`, oldest first (deleted instances'
    /// included: backups outlive their instance).
    public func backups(inStore name: String, project: String) async throws -> [InstanceBackup] {
        let manifests = try await withStore(name) { store in try store.manifests(project: project).manifests }
        return manifests.map { InstanceBackup($0, store: name) }
    }

    /// Re-reads and re-hashes every chunk the project's backups in store `name` need, each once. The
    /// report names the damaged backups and the project's manifests that could not be read.
    public func verifyAll(
        _ name: String, project: String, progress: (@Sendable (BackupProgress) -> Void)? = nil
    ) async throws -> VerifyReport {
        let report = try await withStore(name) { store in
            let listing = try store.manifests(project: project)
            var report = try await BackupVerifier(store: store).verify(listing.manifests, progress: progress)
            report.unreadableManifests = listing.unreadable.map { "\($0.path): \($0.reason)" }
            return report
        }
        logger.info(
            "verified \(report.backups) backup(s) of project \(project) in backup store \(name): \(report.chunksChecked) chunk(s), \(report.damaged.count) backup(s) damaged")
        return report
    }

    /// The store holding backup `id` of `instance`, or `notFound`.
    public func storeHolding(_ id: BackupID, of instance: String, in project: String) async throws -> String {
        for name in entries.keys.sorted() {
            let holds = (try? await withStore(name) { store in try store.manifest(project: project, instance: instance, id: id) }) != nil
            if holds { return name }
        }
        throw JoistError.notFound("backup \(id) of instance \(instance) not found in any backup store")
    }
}

extension InstanceBackup {
    /// The API's view of a manifest: everything but the chunk lists.
    public init(_ manifest: BackupManifest, store: String) {
        self.init(
            id: manifest.id.value, store: store, instance: manifest.instance, createdAt: manifest.createdAt, kind: manifest.kind.rawValue,
            parent: manifest.parent?.value,
            disks: manifest.disks.map {
                InstanceBackupDisk(name: $0.name, size: $0.size, read: $0.read.rawValue, checkpoint: $0.checkpoint, stats: InstanceBackupStats($0.stats))
            },
            stats: InstanceBackupStats(manifest.stats), filesystemFreeze: manifest.filesystemFreeze, hasConfiguration: manifest.configuration != nil)
    }
}

extension InstanceBackupStats {
    init(_ stats: BackupStats) {
        self.init(
            bytesRead: stats.bytesRead, bytesNew: stats.bytesNew, bytesStored: stats.bytesStored, chunksNew: stats.chunksNew,
            chunksReused: stats.chunksReused, chunksUnchanged: stats.chunksUnchanged, chunksZero: stats.chunksZero)
    }
}
