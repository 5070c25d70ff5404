import Dispatch
import Foundation

/// What Ctrl-C does while a transfer runs: the first SIGINT calls a handler (cancel the operation,
/// or the upload or download) so the command can clean up and end with an error; a second one ends
/// the process as usual.
enum Interrupt {
    /// Runs `body` with SIGINT handled by `onInterrupt` (once).
    static func handling<T: Sendable>(
        _ onInterrupt: @escaping @Sendable () async -> Void, _ body: () async throws -> T
    ) async throws -> T {
        let watch = SignalWatch(onInterrupt)
        defer { watch.stop() }
        return try await body()
    }

    /// Runs `body` in a task that the first SIGINT cancels.
    @discardableResult
    static func cancelling<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        return try await handling({ task.cancel() }) {
            try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
        }
    }
}

/// A SIGINT handler for the lifetime of a transfer.
private final class SignalWatch {
    // A Dispatch source, not a C handler: the handler runs on a queue and may start Swift tasks.
    private let source: any DispatchSourceSignal

    init(_ onInterrupt: @escaping @Sendable () async -> Void) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let source = self.source
        source.setEventHandler {
            // Only the first Ctrl-C is ours; the next one ends the process.
            source.cancel()
            signal(SIGINT, SIG_DFL)
            FileHandle.standardError.write(Data("\ninterrupted: cancelling (Ctrl-C again to quit at once)\n".utf8))
            Task { await onInterrupt() }
        }
        source.resume()
    }

    func stop() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
