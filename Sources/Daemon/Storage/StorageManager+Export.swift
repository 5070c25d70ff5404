import Foundation
public import JoistAPI
public import JoistCore
import Storage

/// An export kept in the staging folder for download (`StorageManager.stageExport`).
public struct StagedExport: Sendable, Equatable {
    /// The id of the operation that made it, which names it in `/1.0/volume-exports/{id}`.
    public var id: String
    public var project: String
    public var volume: VolumeReference
    public var format: VolumeFileFormat
    /// The file in the staging folder.
    public var path: String
    /// The file's length.
    public var bytes: UInt64
    /// When it is removed if nobody has discarded it.
    public var expiresAt: Date

    /// The name a client saves it under: `NAME.EXT`.
    public var fileName: String { "\(volume.name).\(format.fileExtension)" }
}

extension StorageManager {
    /// How long a staged export waits for its download.
    static let exportRetention: TimeInterval = 3600

    /// Refuses a file an export cannot write: a relative path, a missing folder, a folder, an existing
    /// file unless `replacing`, or a place inside a pool or joistd's state directory (their files are
    /// joistd's, and a volume file there would be adopted as a volume).
    public func checkExportDestination(_ path: String, replacing: Bool) throws {
        guard path.hasPrefix("/"), !path.hasSuffix("/") else {
            throw JoistError.invalidArgument("cannot export to '\(path)': expected the absolute path of a file on joistd's host")
        }
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw JoistError.notFound("cannot export to \(path): folder \(folder) does not exist")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard !isFolder.boolValue else { throw JoistError.invalidArgument("cannot export to \(path): it is a folder") }
            guard replacing else { throw JoistError.alreadyExists("cannot export to \(path): the file exists; force to replace it") }
        }
        let resolved = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path + "/" + url.lastPathComponent
        let owned = pools.values.map { ("storage pool \($0.pool.name)", $0.pool.path) } + [("joistd's state directory", stateDirectory)]
        if let (owner, _) = owned.first(where: { entry in PoolPath.forms(of: entry.1).contains { resolved.hasPrefix($0 + "/") } }) {
            throw JoistError.invalidArgument("cannot export to \(path): it is inside the folder of \(owner); choose a folder of your own")
        }
    }

    /// Writes the volume's data to `destination` on joistd's host in `format`, through a temporary
    /// beside it renamed into place at the end, so a failed or cancelled export leaves no partial file
    /// (and a crash leaves a temporary that the next start removes). The volume is not changed
    /// meanwhile. Progress goes to `progress` (0…1).
    public func exportVolume(
        _ reference: VolumeReference, project: String, to destination: String, format: VolumeFileFormat, replacing: Bool,
        progress: (@Sendable (Double) -> Void)? = nil
    ) async throws {
        let key = VolumeKey(reference, project: project)
        try await exclusive(key) {
            try checkExportDestination(destination, replacing: replacing)
            let handle = try handle(for: try volumeEntry(key).record)
            let backend = try poolEntry(key.pool).backend
            let note = try staging.note(exportTo: destination)
            defer { staging.remove(note) }
            try await backend.exportImage(handle, to: destination, format: ImageFileFormat(format), replacing: replacing, progress: progress)
        }
        logger.info("exported \(key.phrase) to \(destination) (\(format.rawValue))")
    }

    /// Writes the volume's data in `format` to the staging folder, kept for download as export `id`
    /// (the operation's id) until it is discarded or `exportRetention` has passed.
    public func stageExport(
        _ reference: VolumeReference, project: String, format: VolumeFileFormat, id: String,
        progress: (@Sendable (Double) -> Void)? = nil
    ) async throws -> StagedExport {
        pruneStagedExports()
        let key = VolumeKey(reference, project: project)
        let path = staging.exportFile(id, format: format)
        try await exclusive(key) {
            let entry = try volumeEntry(key)
            let handle = try handle(for: entry.record)
            let backend = try poolEntry(key.pool).backend
            // What the volume takes on disk now is what a converted copy roughly takes.
            let estimate = try await backend.inspect(handle).actualSize ?? entry.record.size.bytes
            try staging.checkRoom(for: estimate, what: "cannot export \(key.phrase)")
            try await backend.exportImage(handle, to: path, format: ImageFileFormat(format), replacing: false, progress: progress)
        }
        let bytes = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.uint64Value ?? 0
        let staged = StagedExport(
            id: id, project: project, volume: reference, format: format, path: path, bytes: bytes,
            expiresAt: Date().addingTimeInterval(Self.exportRetention))
        stagedExports[id] = staged
        logger.info("exported \(key.phrase) for download (\(format.rawValue), \(bytes) bytes)")
        return staged
    }

    /// The staged export `id` of `project`, or `notFound`.
    public func stagedExport(_ id: String, project: String) throws -> StagedExport {
        pruneStagedExports()
        guard let staged = stagedExports[id], staged.project == project else {
            throw JoistError.notFound("export \(id) not found\(project == Project.defaultName ? "" : " in project \(project)")")
        }
        return staged
    }

    /// Removes the staged export `id` of `project`.
    public func discardExport(_ id: String, project: String) throws {
        let staged = try stagedExport(id, project: project)
        stagedExports.removeValue(forKey: id)
        staging.remove(staged.path)
    }

    /// Removes staged exports nobody fetched in time.
    func pruneStagedExports(now: Date = Date()) {
        for (id, staged) in stagedExports where staged.expiresAt <= now {
            stagedExports.removeValue(forKey: id)
            staging.remove(staged.path)
            logger.info("removed export \(id) of volume \(staged.volume): not downloaded within an hour")
        }
    }

    /// Removes what transfers interrupted by a crash left (`TransferStaging.sweep`), logging each path.
    func sweepStaging() {
        for path in staging.sweep() {
            logger.notice("removed \(path), left by an interrupted transfer")
        }
    }
}
