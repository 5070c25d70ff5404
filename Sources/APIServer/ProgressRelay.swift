import Activity
import JoistAPI

/// Carries a driver's progress callbacks (synchronous, from whatever thread copies) to an operation,
/// in order, keeping only the latest value while the operation is busy publishing the previous one.
struct ProgressRelay: Sendable {
    /// Give this to the driver: fractions of one (0…1).
    let report: @Sendable (Double) -> Void
    private let continuation: AsyncStream<Double>.Continuation
    private let forwarding: Task<Void, Never>

    /// Reports `fraction × total` `bytes` at `stage` on the operation.
    init(_ operation: OperationContext, total: UInt64, stage: String) {
        let (fractions, continuation) = AsyncStream<Double>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.continuation = continuation
        self.report = { continuation.yield($0) }
        let total = Int64(clamping: total)
        forwarding = Task {
            for await fraction in fractions {
                let done = Int64((Double(total) * min(1, max(0, fraction))).rounded())
                await operation.progress(OperationProgress(done: done, total: total, unit: "bytes", stage: stage))
            }
        }
    }

    /// Ends the relay once the last report has reached the operation.
    func finish() async {
        continuation.finish()
        await forwarding.value
    }
}
