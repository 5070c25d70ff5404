import Activity
import JoistAPI

/// Carries a driver's progress callbacks (synchronous, from whatever thread copies) to an operation,
/// in order, keeping only the latest value while the operation is busy publishing the previous one.
enum ProgressRelay {
    /// Runs `body` with a callback taking fractions of one (0…1), reported on `operation` as
    /// `fraction × total` `bytes` at `stage`; returns once the last report has reached it.
    static func run<T: Sendable>(
        to operation: OperationContext, total: UInt64, stage: String,
        _ body: (_ report: @escaping @Sendable (Double) -> Void) async throws -> T
    ) async throws -> T {
        let (fractions, continuation) = AsyncStream<Double>.makeStream(bufferingPolicy: .bufferingNewest(1))
        async let forwarded: Void = forward(fractions, to: operation, total: Int64(clamping: total), stage: stage)
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

    private static func forward(_ fractions: AsyncStream<Double>, to operation: OperationContext, total: Int64, stage: String) async {
        for await fraction in fractions {
            let done = Int64((Double(total) * min(1, max(0, fraction))).rounded())
            await operation.progress(OperationProgress(done: done, total: total, unit: "bytes", stage: stage))
        }
    }
}
