#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import JoistCore

/// Blocking reads and writes on inherited descriptors (stdin, stdout, stderr), bridged to async code.
///
/// NIO's pipe bootstrap would take ownership of fds 0 and 1 and refuses regular files, which
/// `joist console < script.txt` should accept; a reader thread polling the descriptor works for ttys,
/// pipes and files alike.
enum FileDescriptorStreams {
    /// How long the reader thread waits in `poll` before checking whether anyone still listens.
    private static let pollIntervalMilliseconds: Int32 = 100

    /// Bytes read from `fileDescriptor` until end of file; stops reading when the consumer goes away.
    ///
    /// Does not close the descriptor.
    static func input(
        from fileDescriptor: Int32,
        chunkSize: Int = 4096
    ) -> AsyncThrowingStream<[UInt8], any Error> {
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let stopped = ConsoleLockedValue(false)
        continuation.onTermination = { _ in stopped.withLock { $0 = true } }
        let thread = Thread {
            Self.readLoop(fileDescriptor, chunkSize: chunkSize, stopped: stopped, continuation: continuation)
        }
        thread.name = "joist-console-input"
        thread.start()
        return stream
    }

    /// Writes all of `bytes` to `fileDescriptor`, retrying short writes and interruptions.
    static func writeAll(_ bytes: [UInt8], to fileDescriptor: Int32) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                write(fileDescriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw POSIXError.current()
            }
            offset += written
        }
    }

    /// The reader thread's loop: poll with a timeout so a departed consumer ends the thread promptly.
    private static func readLoop(
        _ fileDescriptor: Int32,
        chunkSize: Int,
        stopped: ConsoleLockedValue<Bool>,
        continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
    ) {
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        while !stopped.value {
            var pollDescriptor = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pollDescriptor, 1, Self.pollIntervalMilliseconds)
            if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            if ready < 0 {
                continuation.finish(throwing: POSIXError.current())
                return
            }
            let count = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, chunkSize) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                continuation.finish(throwing: POSIXError.current())
                return
            }
            if count == 0 {
                continuation.finish()
                return
            }
            continuation.yield(Array(buffer[..<count]))
        }
    }
}
