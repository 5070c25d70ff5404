import Foundation
import JoistCore

extension ChunkStore {
    /// The largest manifest read: a 16 TiB disk in 4 MiB chunks lists 4 Mi chunks of ~70 bytes.
    static let manifestLimit = 512 << 20

    /// Writes `manifest` durably. Call it only once every chunk it names is stored (`put` returned for
    /// each): then no crash can leave a manifest naming a chunk that is not on disk.
    public func save(_ manifest: BackupManifest) throws {
        try manifest.validate()
        let folder = layout.instanceFolder(project: manifest.project, instance: manifest.instance)
        let projectFolder = (folder as NSString).deletingLastPathComponent
        let newFolders = [projectFolder, folder].filter { !FileManager.default.fileExists(atPath: $0) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for made in newFolders { try DurableFile.syncFolder((made as NSString).deletingLastPathComponent) }
        let path = layout.manifestFile(project: manifest.project, instance: manifest.instance, id: manifest.id)
        let bytes = try Self.manifestEncoder.encode(manifest)
        let written = try bytes.withUnsafeBytes {
            try DurableFile.write($0, to: path, temporaryFolder: layout.temporaryFolder, replacing: false)
        }
        guard written else { throw JoistError.alreadyExists("backup \(manifest.id) already exists in \(layout.root)") }
    }

    /// The manifest of backup `id` of `instance`, or `notFound`.
    public func manifest(project: String, instance: String, id: BackupID) throws -> BackupManifest {
        try ResourceName.validate(project, kind: "project")
        try ResourceName.validate(instance, kind: "instance")
        let path = layout.manifestFile(project: project, instance: instance, id: id)
        guard let bytes = try DurableFile.read(path, limit: Self.manifestLimit) else {
            throw JoistError.notFound("backup \(id) of instance \(instance) not found in \(layout.root)")
        }
        return try Self.decodeManifest(bytes, path: path)
    }

    /// Every manifest in the store (or of one project, or one instance), oldest first, and the
    /// manifest files that could not be read, with why.
    public func manifests(project: String? = nil, instance: String? = nil) throws -> ManifestListing {
        var listing = ManifestListing()
        for projectName in try entries(layout.manifestsFolder) where project == nil || projectName == project {
            guard (try? ResourceName.validate(projectName, kind: "project")) != nil else { continue }
            let projectFolder = layout.manifestsFolder + "/" + projectName
            for instanceName in try entries(projectFolder) where instance == nil || instanceName == instance {
                guard (try? ResourceName.validate(instanceName)) != nil else { continue }
                let folder = projectFolder + "/" + instanceName
                for file in try entries(folder) where file.hasSuffix(".json") {
                    let path = folder + "/" + file
                    do {
                        guard let bytes = try DurableFile.read(path, limit: Self.manifestLimit) else { continue }
                        listing.manifests.append(try Self.decodeManifest(bytes, path: path))
                    } catch {
                        listing.unreadable.append(ManifestListing.Unreadable(path: path, reason: "\(error)"))
                    }
                }
            }
        }
        listing.manifests.sort { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        return listing
    }

    /// Deletes a backup's manifest. Its chunks stay until `gc` finds no other manifest naming them.
    public func deleteManifest(project: String, instance: String, id: BackupID) throws {
        try ResourceName.validate(project, kind: "project")
        try ResourceName.validate(instance, kind: "instance")
        let path = layout.manifestFile(project: project, instance: instance, id: id)
        guard unlink(path) == 0 else {
            if errno == ENOENT { throw JoistError.notFound("backup \(id) of instance \(instance) not found in \(layout.root)") }
            throw DurableFile.failure("delete", path)
        }
        try DurableFile.syncFolder((path as NSString).deletingLastPathComponent)
    }

    static var manifestEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func decodeManifest(_ bytes: [UInt8], path: String) throws -> BackupManifest {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let manifest: BackupManifest
        do {
            manifest = try decoder.decode(BackupManifest.self, from: Data(bytes))
        } catch {
            throw JoistError.invalidState("backup manifest \(path) is unreadable: \(error)")
        }
        try manifest.validate()
        return manifest
    }

    private func entries(_ folder: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        } catch CocoaError.fileReadNoSuchFile {
            return []
        }
    }
}

/// The manifests found in a store, and the files that looked like manifests but could not be read.
public struct ManifestListing: Sendable {
    public var manifests: [BackupManifest] = []
    public var unreadable: [Unreadable] = []

    public struct Unreadable: Sendable, Equatable {
        public var path: String
        public var reason: String
    }
}
