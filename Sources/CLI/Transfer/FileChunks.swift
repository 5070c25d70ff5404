import Foundation
import NIOCore

/// A file's bytes as an async sequence of `chunkSize` buffers, read as the consumer asks for them, so
/// an upload never holds more than a chunk of the file in memory.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let path: String
    var chunkSize = 1 << 20
    /// Told the length of each chunk read, for a progress line.
    var onChunk: @Sendable (Int) -> Void = { _ in }

    func makeAsyncIterator() -> Iterator {
        Iterator(handle: FileHandle(forReadingAtPath: path), path: path, chunkSize: chunkSize, onChunk: onChunk)
    }

    struct Iterator: AsyncIteratorProtocol {
        let handle: FileHandle?
        let path: String
        let chunkSize: Int
        let onChunk: @Sendable (Int) -> Void

        mutating func next() async throws -> ByteBuffer? {
            try Task.checkCancellation()
            guard let handle else { throw CLIError("cannot read \(path)") }
            guard let data = try handle.read(upToCount: chunkSize), !data.isEmpty else {
                try? handle.close()
                return nil
            }
            onChunk(data.count)
            return ByteBuffer(bytes: data)
        }
    }
}
