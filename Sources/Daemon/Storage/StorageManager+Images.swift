import Foundation
public import JoistAPI
public import JoistCore
import Storage

/// An image file a volume can be made from, as the image manager resolves it.
public struct ImageSource: Sendable, Equatable {
    /// The image's fingerprint, which the volume records.
    public var fingerprint: String
    /// The image file, by its absolute path.
    public var path: String
    /// The file's format as QEMU opens it.
    public var format: DiskFormat
    /// The size a guest sees, in bytes.
    public var virtualSize: UInt64

    public init(fingerprint: String, path: String, format: DiskFormat, virtualSize: UInt64) {
        self.fingerprint = fingerprint
        self.path = path
        self.format = format
        self.virtualSize = virtualSize
    }
}

/// What a new volume reads besides its own file: a volume of the same pool, an image, or neither.
struct VolumeLinks {
    var volume: VolumeReference?
    var image: String?
}

extension StorageManager {
    /// Creates a qcow2 volume `name` in `pool` for `project` that reads `image`'s file until the guest
    /// writes its own data: a copy-on-write clone, made at once whatever the image's size. The volume
    /// records the image, which cannot be deleted while the volume exists.
    ///
    /// `size` (default: the image's virtual size, in whole sectors and at least 1MiB) may be larger;
    /// the guest sees the rest as unwritten space. It counts against the pool and the project's `disk`
    /// limit like any volume. Call it through `ImageManager.createVolume(fromImage:…)`, which keeps the
    /// image from being deleted meanwhile.
    public func createVolume(
        fromImage image: ImageSource, name: String, pool: String, project: String, size: ByteSize? = nil
    ) async throws -> StorageVolume {
        let name = try ResourceName.validate(name, kind: "volume")
        let key = VolumeKey(project: project, pool: pool, name: name)
        let smallest = Self.volumeSize(holding: image.virtualSize)
        let size = size ?? smallest
        guard size >= smallest else {
            throw JoistError.invalidArgument(
                "\(key.phrase) cannot be smaller than its image \(ImageFingerprint.short(image.fingerprint)) (\(smallest)), not \(size)")
        }
        try Self.validate(size: size)
        let handle = try VolumeHandle(project: project, name: name, format: .qcow2)
        let backend = try poolEntry(pool).backend
        let backing = QemuImg.Backing(path: image.path, format: ImageFileFormat(image.format))
        try claim(key)
        defer { pending.remove(key) }
        try await addVolume(key, handle: handle, size: size, refusing: "cannot create \(key.phrase)") {
            try await backend.createOverlay(handle, backing: backing, size: size.bytes)
            return VolumeLinks(volume: nil, image: image.fingerprint)
        }
        logger.info("created \(key.phrase) from image \(ImageFingerprint.short(image.fingerprint)) (\(size))")
        publishVolume("volume-created", key, reason: "from image \(ImageFingerprint.short(image.fingerprint))")
        return try await volume(key.reference, project: project)
    }

    /// The volumes of every project that read the image, sorted.
    public func volumes(readingImage fingerprint: String) -> [VolumeKey] {
        volumes.values.filter { $0.record.image == fingerprint }.map(\.record.key).sorted()
    }

    /// Runs `body` with a volume's file, its format and size while no other change of the volume runs
    /// (so it is neither resized nor deleted while `body` reads it).
    public func withVolumeFile<T: Sendable>(
        _ reference: VolumeReference, project: String, _ body: @Sendable (_ path: String, _ format: DiskFormat, _ size: ByteSize) async throws -> T
    ) async throws -> T {
        let key = VolumeKey(reference, project: project)
        return try await exclusive(key) {
            let entry = try volumeEntry(key)
            let backend = try poolEntry(key.pool).backend
            return try await body(backend.path(of: try handle(for: entry.record)), entry.record.format, entry.record.size)
        }
    }

    /// The image a new copy reads directly, when it kept its source's backing file (`expected`), else nil.
    func image(behind handle: VolumeHandle, backend: any StorageBackend, expected: String?) async -> String? {
        guard let expected else { return nil }
        do {
            return imageFingerprint(ofBacking: try await backend.inspect(handle).fullBackingFilename) == expected ? expected : nil
        } catch {
            // The copy cannot be read back: keep the image, which is the safe mistake.
            logger.warning("cannot inspect the new volume \(handle): \(error); recording it as reading image \(ImageFingerprint.short(expected))")
            return expected
        }
    }

    /// The fingerprint of the image a backing file is, when it lies in the image store.
    func imageFingerprint(ofBacking path: String?) -> String? {
        guard let path else { return nil }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard url.deletingLastPathComponent().path == ImageFiles(stateDirectory: stateDirectory).folder else { return nil }
        let parts = url.lastPathComponent.split(separator: ".")
        guard parts.count == 2, StoredImageFormat(rawValue: String(parts[1])) != nil else { return nil }
        return try? ImageFingerprint.validate(String(parts[0]))
    }

    /// The smallest volume size that holds `bytes`: whole 512-byte sectors, at least 1MiB.
    static func volumeSize(holding bytes: UInt64) -> ByteSize {
        ByteSize(bytes: max((bytes + 511) / 512 * 512, 1 << 20))
    }
}
