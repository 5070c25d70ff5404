import Foundation
import Synchronization

/// The console history of one instance: a bounded, rotated file that survives daemon restarts.
///
/// Output is appended to `PATH`; when it passes `limit` bytes it becomes `PATH.1` (replacing the older
/// half) and a fresh `PATH` starts, so history never exceeds twice the limit on disk.
public final class ConsoleLog: Sendable {
    public static let defaultLimit = 512 * 1024

    private let path: String
    private let limit: Int
    private let handle: Mutex<(file: FileHandle?, size: Int)>

    public init(path: String, limit: Int = ConsoleLog.defaultLimit) {
        self.path = path
        self.limit = limit
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        self.handle = Mutex((Self.openForAppend(path), size))
    }

    /// Appends output, rotating first when the file is full.
    public func append(_ bytes: some Collection<UInt8>) {
        handle.withLock { state in
            if state.size + bytes.count > limit && state.size > 0 {
                try? state.file?.close()
                try? FileManager.default.removeItem(atPath: path + ".1")
                try? FileManager.default.moveItem(atPath: path, toPath: path + ".1")
                state = (Self.openForAppend(path), 0)
            }
            try? state.file?.write(contentsOf: Data(bytes))
            state.size += bytes.count
        }
    }

    /// The kept history, oldest first.
    public func read() -> Data {
        handle.withLock { _ in Self.history(at: path) }
    }

    /// Reads history from disk without an open log (e.g. for a stopped instance).
    public static func history(at path: String) -> Data {
        let older = FileManager.default.contents(atPath: path + ".1") ?? Data()
        let newer = FileManager.default.contents(atPath: path) ?? Data()
        return older + newer
    }

    public func close() {
        handle.withLock { state in
            try? state.file?.close()
            state.file = nil
        }
    }

    private static func openForAppend(_ path: String) -> FileHandle? {
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        let file = FileHandle(forWritingAtPath: path)
        _ = try? file?.seekToEnd()
        return file
    }
}
