public import Activity
import JoistAPI

/// Carries progress reports, made synchronously on whatever thread does the work, to an operation, in
/// order, keeping only the latest while the operation is busy publishing the previous one.
///
/// Reports are `TransferProgress` (a stage, bytes done and, when known, the total): image imports and
/// publishes go through several stages, and a download may not know its size. Work with one stage of
/// known size reports fractions instead (`run(to:total:stage:_:)`).
public enum ProgressRelay {
    /// Runs `body` with a handler for its reports; returns once the last report has reached `operation`.
    /// `unit` names what the reports count (`bytes`, or e.g. `chunks` for a verify).
    public static func run<T: Sendable>(
        to operation: OperationContext, unit: String = "bytes", _ body: (_ report: @escaping TransferProgressHandler) async throws -> T
    ) async throws -> T {
        let (reports, continuation) = AsyncStream<TransferProgress>.makeStream(bufferingPolicy: .bufferingNewest(1))
        async let forwarded: Void = forward(reports, unit: unit, to: operation)
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

    /// Runs `body` with a callback taking fractions of one (0…1), reported on `operation` as
    /// `fraction × total` bytes at `stage`; returns once the last report has reached it.
    public static func run<T: Sendable>(
        to operation: OperationContext, total: UInt64, stage: String,
        _ body: (_ report: @escaping @Sendable (Double) -> Void) async throws -> T
    ) async throws -> T {
        try await run(to: operation) { report in
            try await body { report(TransferProgress(stage: stage, fraction: $0, of: total)) }
        }
    }

    private static func forward(_ reports: AsyncStream<TransferProgress>, unit: String, to operation: OperationContext) async {
        for await report in reports {
            await operation.progress(
                OperationProgress(
                    done: Int64(clamping: report.done), total: report.total.map { Int64(clamping: $0) }, unit: unit, stage: report.stage))
        }
    }
}
