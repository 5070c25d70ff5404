import Foundation

/// Runs blocking file work (hashing, compressing and writing a chunk; taking a lock) on a thread of
/// its own, so it never holds one of the few threads of Swift's cooperative pool.
enum BlockingWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
