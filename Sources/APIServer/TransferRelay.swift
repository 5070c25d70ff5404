import Activity
import Daemon
import JoistAPI

/// Carries an image transfer's progress (stages in bytes, from whatever thread does the work) to its
/// operation, in order, keeping only the latest report while the operation publishes the previous
/// one. `ProgressRelay` does the same for one stage of known size; a transfer has several, and a
/// download may not know its size.
enum TransferRelay {
    /// Runs `body` with a handler for its reports; returns once the last report has reached `operation`.
    static func run<T: Sendable>(
        to operation: OperationContext, _ body: (_ report: @escaping TransferProgressHandler) async throws -> T
    ) async throws -> T {
        let (reports, continuation) = AsyncStream<TransferProgress>.makeStream(bufferingPolicy: .bufferingNewest(1))
        async let forwarded: Void = forward(reports, to: operation)
        let result: Result<T, any Error>
        do {
            result = .success(try await body { continuation.yield($0) })
        } catch {
            result = .failure(error)
        }
        continuation.finish()
        await forwarded
        return try result.get()
    }

    private static func forward(_ reports: AsyncStream<TransferProgress>, to operation: OperationContext) async {
        for await report in reports {
            await operation.progress(
                OperationProgress(
                    done: Int64(clamping: report.done), total: report.total.map { Int64(clamping: $0) }, unit: "bytes", stage: report.stage))
        }
    }
}
