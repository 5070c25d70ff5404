import Foundation
public import JoistAPI
import JoistCore
public import Storage
import Store

/// What an import ended with.
public struct ImportedImage: Sendable, Equatable {
    public var image: Image
    /// Whether the same bytes were imported before: then nothing was stored again (only the alias added).
    public var existed: Bool

    public init(image: Image, existed: Bool) {
        self.image = image
        self.existed = existed
    }
}

extension ImageManager {
    /// A new staging file for bytes the caller receives (the API streams an upload into it); refused
    /// when `expectedSize` would leave less than `reserve` free on the state directory's file system.
    public nonisolated func newUpload(expectedSize: UInt64?) throws(JoistError) -> StagingFile {
        try files.newStagingFile(expectedSize: expectedSize, reserve: reserve)
    }

    /// Copies a file on the daemon's host into staging, hashing it, with progress (`copying`).
    public nonisolated func stage(file path: String, progress: TransferProgressHandler?) async throws -> StagedFile {
        guard path.hasPrefix("/") else {
            throw JoistError.invalidArgument("the path of a file to import must be absolute, not '\(path)'")
        }
        guard FileManager.default.fileExists(atPath: path) else { throw JoistError.notFound("cannot import \(path): no such file") }
        let total = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value ?? 0
        return try await files.stageCopy(of: path, reserve: reserve) { progress?(TransferProgress(stage: "copying", fraction: $0, of: total)) }
    }

    /// Downloads an `http` or `https` URL into staging, hashing it, with progress (`downloading`).
    public nonisolated func download(_ url: String, progress: TransferProgressHandler?) async throws -> StagedFile {
        try await ImageDownloader().download(url, into: files, reserve: reserve, progress: progress)
    }

    /// Stores a received file as an image named by its fingerprint, giving it `alias`. Bytes imported
    /// before are not stored again: the existing image gets the alias and is answered as it is.
    ///
    /// The format is detected from the contents; VMware, VirtualBox and Hyper-V images are converted
    /// to qcow2 (progress: `converting`). `origin` names the file in errors (a URL, a path,
    /// "the upload"). The staged file is gone afterwards, whatever happens.
    public func importStaged(
        _ staged: StagedFile, origin: String, alias: String?, progress: TransferProgressHandler? = nil
    ) async throws -> ImportedImage {
        defer { unlink(staged.path) }
        let alias = try alias.map(Self.validate(alias:))
        let fingerprint = try ImageFingerprint.validate(staged.fingerprint)
        return try await exclusive(fingerprint) {
            if let existing = images[fingerprint] {
                if let alias { try await attach(alias, to: fingerprint) }
                logger.info("\(origin) holds the same bytes as \(existing.record.phrase): nothing to store")
                return ImportedImage(image: await view(try entry(fingerprint).record, visibleTo: nil), existed: true)
            }
            if let alias, let owner = aliases[alias] { throw Self.aliasTaken(alias, by: owner, images) }
            let record = try await add(staged, fingerprint: fingerprint, origin: origin, alias: alias, progress: progress)
            logger.info("imported \(record.phrase) from \(origin) (\(record.sourceFormat.rawValue), \(ByteSize(bytes: record.virtualSize)))")
            publish("image-created", record)
            return ImportedImage(image: await view(record, visibleTo: nil), existed: false)
        }
    }

    /// Detects, stores and records a new image; a failed step undoes the others. Runs under the
    /// fingerprint's `exclusive`.
    private func add(
        _ staged: StagedFile, fingerprint: String, origin: String, alias: String?, progress: TransferProgressHandler?
    ) async throws -> ImageRecord {
        let detected = try await probe.detect(staged.path, what: origin)
        var convertProgress: ProgressHandler?
        if detected.needsConversion, let progress {
            let total = detected.virtualSize
            convertProgress = { progress(TransferProgress(stage: "converting", fraction: $0, of: total)) }
        }
        let path = try await files.store(staged.path, fingerprint: fingerprint, detected: detected, reserve: reserve, progress: convertProgress)
        do {
            let record = ImageRecord(
                fingerprint: fingerprint, aliases: alias.map { [$0] } ?? [], type: detected.kind == .iso ? .iso : .disk,
                storedFormat: detected.storedFormat, sourceFormat: ImageSourceFormat(rawValue: detected.formatName) ?? .raw,
                virtualSize: detected.virtualSize, fileSize: try files.fileSize(path), createdAt: Date())
            var transaction = Transaction().expect(ImageRecord.key(fingerprint), .absent)
                .put(ImageRecord.key(fingerprint), try APICoding.encoder().encode(record))
            if let alias {
                transaction = transaction.expect(ImageRecord.aliasKey(alias), .absent).put(ImageRecord.aliasKey(alias), Data(fingerprint.utf8))
            }
            let revision = try await store.commit(transaction)
            images[fingerprint] = Entry(record: record, revision: revision)
            if let alias { aliases[alias] = fingerprint }
            return record
        } catch {
            try? files.remove(fingerprint, format: detected.storedFormat)
            if case StoreError.conflict = error, let alias {
                throw JoistError.alreadyExists("cannot import \(origin): image alias \(alias) exists already")
            }
            throw error
        }
    }

    /// Checks an alias's name (a `ResourceName`), before any bytes are received.
    public static func validate(alias: String) throws(JoistError) -> String {
        try ResourceName.validate(alias, kind: "image alias")
    }

    static func aliasTaken(_ alias: String, by fingerprint: String, _ images: [String: Entry]) -> JoistError {
        let owner = images[fingerprint].map { "image \(ImageFingerprint.short($0.record.fingerprint))" } ?? "another image"
        return .alreadyExists("image alias \(alias) already names \(owner); remove it there first (joist image alias remove \(alias))")
    }
}
