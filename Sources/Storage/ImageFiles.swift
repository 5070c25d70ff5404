import Crypto
import Foundation
public import JoistCore

/// The image store's files: `STATE/images/FINGERPRINT.qcow2|.raw|.iso`, and `STATE/staging/`, where
/// files being received wait until they are complete.
///
/// Both folders are on the state directory's file system, so a finished staging file moves into the
/// store with a rename. Every write goes through a temporary (a staging file, or qemu-img's
/// `.joist-tmp-` file beside its destination) that is removed on failure or cancellation; after a
/// crash, `sweep` removes what is left, so the store only ever holds complete images.
public struct ImageFiles: Sendable {
    /// The folder of stored images.
    public let folder: String
    /// The folder of files being received.
    public let stagingFolder: String
    let qemuImg: QemuImg

    public init(stateDirectory: String, qemuImg: QemuImg = QemuImg()) {
        self.folder = stateDirectory + "/images"
        self.stagingFolder = stateDirectory + "/staging"
        self.qemuImg = qemuImg
    }

    /// Makes both folders (idempotent).
    public func prepare() throws(JoistError) {
        try Filesystem.makeFolder(folder)
        try Filesystem.makeFolder(stagingFolder)
    }

    /// Removes everything in the staging folder and the temporaries of interrupted conversions in the
    /// store; returns the paths removed.
    public func sweep() throws(JoistError) -> [String] {
        let staged = try Filesystem.entries(of: stagingFolder).map { stagingFolder + "/" + $0 }
        let temporaries = try Filesystem.entries(of: folder).filter(TemporaryName.isTemporary).map { folder + "/" + $0 }
        for path in staged + temporaries { try Filesystem.remove(path) }
        return staged + temporaries
    }

    /// Where the image `fingerprint` is kept in `format`.
    public func path(of fingerprint: String, format: StoredImageFormat) throws(JoistError) -> String {
        folder + "/" + (try ImageFingerprint.validate(fingerprint)) + "." + format.fileExtension
    }

    /// Every image file in the store, as found on disk (files with other names are not Joist's).
    public func stored() throws(JoistError) -> [(fingerprint: String, format: StoredImageFormat)] {
        try Filesystem.entries(of: folder).compactMap { name in
            let parts = name.split(separator: ".")
            guard parts.count == 2, let format = StoredImageFormat(rawValue: String(parts[1])),
                (try? ImageFingerprint.validate(String(parts[0]))) != nil, Filesystem.isRegularFile(folder + "/" + name)
            else { return nil }
            return (String(parts[0]), format)
        }
    }

    /// The space of the file system holding the store.
    public func space() throws(JoistError) -> FilesystemSpace {
        try Filesystem.space(of: folder)
    }

    /// A new, empty staging file; refused when `expectedSize` would leave less than `reserve` free.
    public func newStagingFile(expectedSize: UInt64?, reserve: UInt64) throws(JoistError) -> StagingFile {
        try StagingFile(path: stagingPath("upload"), expectedSize: expectedSize, reserve: reserve)
    }

    /// A fresh path in the staging folder, for a file a tool writes there (`kind` shows in its name).
    public func stagingPath(_ kind: String) -> String {
        stagingFolder + "/" + kind + "-" + UUID().uuidString.lowercased()
    }

    /// Copies the file at `source` into a staging file, hashing it on the way, with progress (0…1).
    /// Refuses anything but a regular file. Cancelling stops the copy and removes the staging file.
    public func stageCopy(of source: String, reserve: UInt64, progress: ProgressHandler?) async throws -> StagedFile {
        guard Filesystem.isRegularFile(URL(fileURLWithPath: source).resolvingSymlinksInPath().path) else {
            throw JoistError.invalidArgument("cannot import \(source): it is not a regular file")
        }
        let size = try ImageProbe.fileSize(source)
        let path = stagingPath("copy")
        return try await BlockingFileWork.run { isCancelled in
            let staging = try StagingFile(path: path, expectedSize: size, reserve: reserve)
            try BlockingFileWork.read(source, isCancelled: isCancelled, progress: progress) { try staging.write($0) }
            return try staging.finish()
        }
    }

    /// The SHA-256 (lowercase hex) of the file at `path`, with progress (0…1).
    public func digest(of path: String, progress: ProgressHandler?) async throws -> String {
        try await BlockingFileWork.run { isCancelled in
            var hasher = SHA256()
            try BlockingFileWork.read(path, isCancelled: isCancelled, progress: progress) { hasher.update(bufferPointer: $0) }
            return Hex.lowercase(hasher.finalize())
        }
    }

    /// Moves a complete staged file into the store as `fingerprint`, converting formats QEMU does not
    /// run from to qcow2 (with progress, 0…1); returns the stored path. The staged file is gone
    /// afterwards, whether this succeeds or not. Refuses (`alreadyExists`) when the image is stored.
    /// A conversion must leave `reserve` bytes free.
    public func store(
        _ staged: String, fingerprint: String, detected: DetectedImage, reserve: UInt64, progress: ProgressHandler?
    ) async throws -> String {
        defer { try? Filesystem.remove(staged) }
        let destination = try path(of: fingerprint, format: detected.storedFormat)
        guard case .disk(let format) = detected.kind, detected.needsConversion else {
            try Filesystem.renameNoReplace(staged, to: destination, what: "image \(ImageFingerprint.short(fingerprint))")
            progress?(1)
            return destination
        }
        let needed = try await qemuImg.measure(staged, format: format, target: .qcow2).required
        try checkSpace(needs: needed, reserve: reserve)
        try await qemuImg.convert(from: staged, sourceFormat: format, to: destination, format: .qcow2, progress: progress)
        return destination
    }

    /// Refuses (`invalidState`) when `needs` more bytes would leave less than `reserve` free on the
    /// store's file system.
    public func checkSpace(needs: UInt64, reserve: UInt64) throws(JoistError) {
        try StagingFile.checkSpace(at: folder, needs: needs, reserve: reserve)
    }

    /// Removes a stored image's file; nothing to do when it is gone.
    public func remove(_ fingerprint: String, format: StoredImageFormat) throws(JoistError) {
        try Filesystem.remove(try path(of: fingerprint, format: format))
    }

    /// Bytes of a stored file.
    public func fileSize(_ path: String) throws(JoistError) -> UInt64 {
        try ImageProbe.fileSize(path)
    }
}
