import Foundation
import JoistAPI

/// Follows an operation until it ends, drawing a progress line on a terminal.
struct OperationWaiter {
    let client: APIClient
    /// Draw progress on standard error (only when it is a terminal).
    var showProgress = isatty(STDERR_FILENO) == 1

    /// Waits for the operation to end; throws its error when it failed or was cancelled.
    @discardableResult
    func wait(for operation: JoistAPI.Operation) async throws -> JoistAPI.Operation {
        var current = operation
        // Long polls of a second keep the progress line moving without busy-looping.
        while !current.status.isFinal {
            if showProgress { draw(current) }
            current = try await client.call(.GET, "/1.0/operations/\(APIClient.segment(current.id))/wait?timeout=1", as: JoistAPI.Operation.self)
        }
        if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        switch current.status {
        case .succeeded:
            return current
        default:
            let error = current.error ?? ErrorResponse.Body(code: current.status.rawValue, message: "operation \(current.status.rawValue)")
            throw CLIError(error.message, code: error.code)
        }
    }

    private func draw(_ operation: JoistAPI.Operation) {
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + Self.line(operation)).utf8))
    }

    /// `Starting instance web-1 [#####-----] 50% copying` — a bar when the total is known.
    static func line(_ operation: JoistAPI.Operation, width: Int = 30) -> String {
        var text = operation.description
        if let progress = operation.progress {
            if let fraction = progress.fraction {
                let filled = Int((fraction * Double(width)).rounded())
                text += " [" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
                text += " \(Int((fraction * 100).rounded()))%"
            } else if progress.done > 0 {
                text += " \(progress.unit == "bytes" ? "\(progress.done / 1_048_576) MiB" : "\(progress.done) \(progress.unit)")"
            }
            if let stage = progress.stage { text += " \(stage)" }
        } else {
            text += "…"
        }
        return text
    }
}

