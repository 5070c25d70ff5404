import Foundation
import JoistAPI
import JoistCore
import Storage

/// joistd's folder for image bytes in transit, `STATE/staging` (owner-only): uploads waiting to be
/// imported, exports waiting to be downloaded, and notes naming the host files that exports are being
/// written beside.
///
/// Nothing in it outlives the daemon that made it: a start removes the temporaries each note points
/// to, then everything in the folder (`sweep`), so a crash in the middle of a transfer leaves nothing.
public struct TransferStaging: Sendable {
    public let folder: String
    /// Space an upload or a staged export must leave free on the state directory's file system: the
    /// store and the audit log live there too.
    static let reserve: UInt64 = 256 << 20

    init(stateDirectory: String) {
        self.folder = stateDirectory + "/staging"
    }

    /// Makes the folder (mode 0700) if it is missing.
    func prepare() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Where a new upload goes: `upload-<random>`, not yet created.
    public func newUpload() throws -> String {
        try prepare()
        return folder + "/upload-" + Self.randomName()
    }

    /// Where the export of operation `id` is kept for download.
    func exportFile(_ id: String, format: VolumeFileFormat) -> String {
        folder + "/export-\(id).\(format.fileExtension)"
    }

    /// Notes that an export writes `destination` (through a temporary beside it) until `forget`, so a
    /// start after a crash can find that temporary. Returns the note's path.
    func note(exportTo destination: String) throws -> String {
        try prepare()
        let note = folder + "/writing-" + Self.randomName()
        try AtomicFile.write(Data(destination.utf8), to: note)
        return note
    }

    /// Removes a file or note of the staging folder; a missing one is fine.
    public func remove(_ path: String) {
        unlink(path)
    }

    /// Refuses (`invalidState`) `bytes` more that would leave the state directory's file system with
    /// less than `reserve` free; `what` says what needs them.
    public func checkRoom(for bytes: UInt64, what: String) throws(JoistError) {
        var info = statvfs()
        try? prepare()
        guard statvfs(folder, &info) == 0 else { return }
        let free = UInt64(info.f_bavail) * UInt64(info.f_frsize)
        let available = free > Self.reserve ? free - Self.reserve : 0
        guard bytes > available else { return }
        throw .invalidState(
            "\(what): joistd's staging folder \(folder) has \(ByteSize(bytes: available).approximate) free (keeping "
                + "\(ByteSize(bytes: Self.reserve)) for the daemon), \(ByteSize(bytes: bytes).approximate) are needed")
    }

    /// Removes what interrupted transfers left: the temporaries beside each noted destination, then
    /// every file in the folder. Returns the paths removed.
    func sweep() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var removed: [String] = []
        for name in names.sorted() where name.hasPrefix("writing-") {
            guard let destination = try? String(contentsOfFile: folder + "/" + name, encoding: .utf8) else { continue }
            removed += (try? ImageTemporaries.remove(besides: destination)) ?? []
        }
        for name in names.sorted() {
            let path = folder + "/" + name
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
        }
        return removed
    }

    private static func randomName() -> String {
        let random = String(UInt64.random(in: .min ... .max), radix: 16)
        return String(repeating: "0", count: 16 - random.count) + random
    }
}
