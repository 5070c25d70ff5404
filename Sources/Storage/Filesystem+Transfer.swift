import Foundation
import JoistCore

extension Filesystem {
    /// Renames `source` to `destination`, replacing whatever file is there (`rename(2)`: one step, so
    /// `destination` is never missing nor partial).
    static func renameReplacing(_ source: String, to destination: String, what: String) throws(JoistError) {
        guard rename(source, destination) == 0 else {
            throw .hostFailure("cannot move \(what) into place at \(destination): \(String(cString: strerror(errno)))")
        }
    }

    /// The last `count` bytes of a file (fewer when it is shorter), or nil when it is not a regular file.
    static func tail(of path: String, count: Int) throws(JoistError) -> [UInt8]? {
        guard isRegularFile(path) else { return nil }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .hostFailure("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let end = lseek(fd, 0, SEEK_END)
        guard end >= 0 else { throw .hostFailure("cannot read \(path): \(String(cString: strerror(errno)))") }
        let length = Int(min(Int64(count), Int64(end)))
        var bytes = [UInt8](repeating: 0, count: length)
        let read = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, off_t(end) - off_t(length)) }
        guard read == length else { throw .hostFailure("cannot read the end of \(path): \(String(cString: strerror(errno)))") }
        return bytes
    }
}
