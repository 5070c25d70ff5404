import Foundation
import JoistAPI
import JoistCore
import Storage

/// What the store keeps for one image, under `/images/FINGERPRINT`; each alias is also a key
/// `/images/aliases/NAME` holding the fingerprint, written in the same transaction, so an alias
/// names one image at most. The API shows `Image`, this record with the volumes that read it.
struct ImageRecord: Codable, Sendable, Equatable {
    var fingerprint: String
    /// Sorted.
    var aliases: [String]
    var type: ImageType
    /// How the file is kept: `qcow2`, `raw` or `iso` (its extension in `STATE/images`).
    var storedFormat: StoredImageFormat
    var sourceFormat: ImageSourceFormat
    var virtualSize: UInt64
    var fileSize: UInt64
    var createdAt: Date

    init(
        fingerprint: String, aliases: [String], type: ImageType, storedFormat: StoredImageFormat, sourceFormat: ImageSourceFormat,
        virtualSize: UInt64, fileSize: UInt64, createdAt: Date
    ) {
        self.fingerprint = fingerprint
        self.aliases = aliases
        self.type = type
        self.storedFormat = storedFormat
        self.sourceFormat = sourceFormat
        self.virtualSize = virtualSize
        self.fileSize = fileSize
        self.createdAt = createdAt
    }

    static let prefix = "/images/"
    static let aliasPrefix = "/images/aliases/"

    static func key(_ fingerprint: String) -> String { prefix + fingerprint }
    static func aliasKey(_ alias: String) -> String { aliasPrefix + alias }

    /// Whether a key under `/images/` is an image record (not an alias).
    static func isRecordKey(_ key: String) -> Bool {
        key.hasPrefix(prefix) && !key.dropFirst(prefix.count).contains("/")
    }

    /// `image debian-12 (3f2a9c1e0b4d)`, or `image 3f2a9c1e0b4d` without aliases: how messages name it.
    var phrase: String {
        aliases.isEmpty ? "image \(ImageFingerprint.short(fingerprint))" : "image \(aliases[0]) (\(ImageFingerprint.short(fingerprint)))"
    }

    /// The API's view: the record and the volumes reading it.
    func view(usedBy: [ImageVolume]) -> Image {
        Image(
            fingerprint: fingerprint, aliases: aliases, type: type, format: storedFormat.diskFormat, sourceFormat: sourceFormat,
            virtualSize: ByteSize(bytes: virtualSize), fileSize: fileSize, createdAt: createdAt, usedBy: usedBy)
    }
}
