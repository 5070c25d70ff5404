import Foundation
import JoistCore
import Synchronization

/// Runs long blocking file work (reading gigabytes to hash or copy them) on a thread of its own, so
/// it never holds one of the few threads of Swift's cooperative pool for seconds.
///
/// Cancelling the calling task sets a flag the work reads between chunks (`isCancelled`); the work
/// then stops and `run` throws `CancellationError`.
enum BlockingFileWork {
    /// Bytes read per chunk.
    static let chunkSize = 1 << 20

    static func run<T: Sendable>(_ body: @escaping @Sendable (_ isCancelled: @Sendable () -> Bool) throws -> T) async throws -> T {
        let flag = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                Thread.detachNewThread {
                    continuation.resume(with: Result { try body { flag.isSet } })
                }
            }
        } onCancel: {
            flag.set()
        }
    }

    /// Reads the file at `path` from start to end in chunks, handing each to `chunk`, and reports the
    /// fraction read to `progress`. Stops with `CancellationError` once `isCancelled`.
    static func read(
        _ path: String, isCancelled: () -> Bool, progress: ProgressHandler?, chunk: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JoistError.hostFailure("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        let total = fstat(fd, &info) == 0 ? max(UInt64(info.st_size), 1) : 1
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var done: UInt64 = 0
        while true {
            if isCancelled() { throw CancellationError() }
            let got = Glibc.read(fd, buffer.baseAddress, chunkSize)
            if got < 0 {
                if errno == EINTR { continue }
                throw JoistError.hostFailure("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if got == 0 { break }
            try chunk(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
            done += UInt64(got)
            progress?(min(Double(done) / Double(total), 1))
        }
    }
}

/// Set once when the work is to stop; read from the working thread.
private final class CancellationFlag: Sendable {
    private let value = Atomic(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
