import Foundation
public import JoistAPI
public import JoistCore
import Storage

/// An image file to import, as qemu-img read it (`StorageManager.inspectImport`).
public struct ImportSource: Sendable, Equatable {
    /// The file on joistd's host.
    public var path: String
    /// How messages name it: its path, or "the uploaded image" (a staging file is no caller's business).
    public var label: String
    public var format: VolumeFileFormat
    /// The size the guest will see.
    public var virtualSize: ByteSize

    public init(path: String, label: String, format: VolumeFileFormat, virtualSize: ByteSize) {
        self.path = path
        self.label = label
        self.format = format
        self.virtualSize = virtualSize
    }
}

/// Where an image to import comes from, which decides what it may read.
public enum ImportOrigin: Sendable {
    /// A file the local administrator named on joistd's host. It may read other files (a vmdk's
    /// extents, a backing chain, which the import flattens): its owner can read them anyway.
    case hostFile
    /// Bytes a caller uploaded. An image that names other files on the host (a backing file, vmdk
    /// extents, a qcow2 data file) is refused: importing it would copy those files into a volume the
    /// caller can read back.
    case upload
}

extension StorageManager {
    /// Describes the image file at `path` for an import: its format (`format`, or probed) and virtual
    /// size. Refuses a missing file, a folder, a format Joist does not import, an empty image, and, for
    /// uploads, images that read other files.
    public func inspectImport(_ path: String, format: VolumeFileFormat?, origin: ImportOrigin) async throws -> ImportSource {
        let label = origin == .upload ? "the uploaded image" : path
        guard path.hasPrefix("/") else {
            throw JoistError.invalidArgument("cannot import '\(path)': expected an absolute path on joistd's host")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw JoistError.notFound("cannot import \(path): there is no such file on joistd's host")
        }
        guard !isFolder.boolValue else { throw JoistError.invalidArgument("cannot import \(path): it is a folder, not an image file") }
        let found = try await qemuImg.inspectSource(path, format: format.map(ImageFileFormat.init))
        if origin == .upload, !found.externalFiles.isEmpty {
            throw JoistError.invalidArgument(
                "cannot import \(label): it is a \(found.format.rawValue) image that reads other files "
                    + "(\(found.externalFiles.joined(separator: ", "))); upload a self-contained image, e.g. made with qemu-img convert")
        }
        // qemu-img rounds sizes up to whole sectors (a raw file's last one reads as zeroes beyond its end).
        guard found.virtualSize > 0 else { throw JoistError.invalidArgument("cannot import \(label): the image is empty") }
        return ImportSource(path: path, label: label, format: VolumeFileFormat(found.format), virtualSize: ByteSize(bytes: found.virtualSize))
    }

    /// Refuses, before any byte is sent, an import into `reference` that cannot start: a bad name, a
    /// missing pool, a name in use.
    public func checkImportTarget(_ reference: VolumeReference, project: String) throws {
        try ResourceName.validate(reference.name, kind: "volume")
        _ = try poolEntry(reference.pool)
        let key = VolumeKey(reference, project: project)
        guard volumes[key] == nil, !pending.contains(key) else { throw Self.exists(key) }
    }

    /// Makes volume `reference` from `source`, converted to `format` (qcow2 when nil), as create
    /// makes an empty one: the name is claimed, the virtual size must fit in the pool and the project's
    /// `disk` limit, and a failed or cancelled step undoes the others. Progress goes to `progress` (0…1).
    public func importVolume(
        _ source: ImportSource, as reference: VolumeReference, project: String, format: DiskFormat?,
        progress: (@Sendable (Double) -> Void)? = nil
    ) async throws -> StorageVolume {
        let name = try ResourceName.validate(reference.name, kind: "volume")
        let handle = try VolumeHandle(project: project, name: name, format: format ?? .qcow2)
        let key = VolumeKey(reference, project: project)
        let backend = try poolEntry(reference.pool).backend
        try claim(key)
        defer { pending.remove(key) }
        let sourceFormat = ImageFileFormat(source.format)
        try await addVolume(key, handle: handle, size: source.virtualSize, refusing: "cannot import \(source.label) as \(key.phrase)") {
            try await backend.importImage(from: source.path, sourceFormat: sourceFormat, as: handle, progress: progress)
            return nil
        }
        logger.info("imported \(key.phrase) (\(handle.format.rawValue), \(source.virtualSize)) from \(source.label) (\(source.format.rawValue))")
        publishVolume("volume-created", key, reason: "imported from a \(source.format.rawValue) image")
        return try await volume(key.reference, project: project)
    }
}
