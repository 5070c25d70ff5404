import Foundation
import JoistCore

extension DirStorageBackend {
    /// The qcow2 volumes in the pool whose backing file is `volume`'s file: its linked clones.
    public func dependents(of volume: VolumeHandle) throws -> [VolumeHandle] {
        let target = URL(fileURLWithPath: path(of: volume)).standardized.path
        return try volumes().filter { candidate in
            guard candidate != volume, candidate.format == .qcow2 else { return false }
            let file = path(of: candidate)
            guard let backing = QcowHeader.backingFile(of: file) else { return false }
            let folder = URL(fileURLWithPath: file).deletingLastPathComponent()
            let resolved = backing.hasPrefix("/") ? URL(fileURLWithPath: backing) : folder.appending(path: backing)
            return resolved.standardized.path == target
        }
    }
}

/// Reads the backing file name straight from a qcow2 header: cheap enough to check every volume in a
/// pool before a delete, without running qemu-img for each.
enum QcowHeader {
    /// The backing file as the image records it, or nil when it has none or is no qcow2 file.
    static func backingFile(of path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // magic (4), version (4), backing_file_offset (8, big endian), backing_file_size (4, big endian)
        guard let header = read(fd, count: 20, at: 0), header.prefix(4).elementsEqual([0x51, 0x46, 0x49, 0xFB]) else {
            return nil
        }
        let offset = header[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let size = header[16..<20].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        // The qcow2 specification caps backing file names at 1023 bytes.
        guard offset > 0, size > 0, size < 1024, offset < UInt64(Int64.max),
            let name = read(fd, count: Int(size), at: off_t(offset))
        else { return nil }
        return String(decoding: name, as: UTF8.self)
    }

    private static func read(_ fd: Int32, count: Int, at offset: off_t) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, offset) }
        return got == count ? bytes : nil
    }
}
