import Foundation
import JoistAPI
import JoistCore

/// How an operation's work ended, mapped onto the wire status, result and error.
enum OperationOutcome {
    /// `operation` once its work ended with `result`; `cancelRequested` when someone asked to
    /// cancel it, in which case any error counts as the cancellation surfacing.
    static func finished(
        _ operation: JoistAPI.Operation, with result: Result<[String: String]?, any Error>, cancelRequested: Bool,
        at date: Date
    ) -> JoistAPI.Operation {
        var operation = operation
        operation.updatedAt = date
        switch result {
        case .success(let values):
            operation.status = .succeeded
            operation.result = values
        case .failure(let error):
            let (status, body) = classify(error, cancelRequested: cancelRequested)
            operation.status = status
            operation.error = body
        }
        return operation
    }

    /// The status and error body for a thrown `error`.
    static func classify(_ error: any Error, cancelRequested: Bool) -> (JoistAPI.Operation.Status, ErrorResponse.Body) {
        if error is CancellationError || cancelRequested {
            return (.cancelled, body("cancelled", "the operation was cancelled"))
        }
        if let error = error as? JoistError {
            return (.failed, body(error.code.rawValue, error.message))
        }
        return (.failed, body(JoistError.Code.internalError.rawValue, "\(error)"))
    }

    // `ErrorResponse.Body` has no public initialiser; the response's does the same job.
    private static func body(_ code: String, _ message: String) -> ErrorResponse.Body {
        ErrorResponse(code: code, message: message).error
    }
}
