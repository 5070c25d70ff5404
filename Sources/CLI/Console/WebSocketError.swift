import Foundation
import NIOCore
import NIOHTTP1

/// A failure to open or use a WebSocket to joistd, worded for the CLI to print as `Error: <message>`.
struct WebSocketError: Error, Equatable, CustomStringConvertible {
    /// The kind of failure.
    enum Code: Equatable, Sendable {
        /// joistd could not be reached, or the TLS handshake with it failed.
        case connectionFailed
        /// joistd refused the WebSocket (unknown instance, instance stopped…): with an HTTP error, or
        /// by closing it at once with code 4000 + the HTTP status.
        case upgradeRejected
        /// The server broke the HTTP or WebSocket protocol.
        case protocolViolation
    }

    /// The kind of failure.
    let code: Code
    /// The HTTP status of a rejected upgrade.
    let status: HTTPResponseStatus?
    /// The API's machine-readable error code (`not_found`, `conflict`…), when the body carried one.
    let apiCode: String?
    /// What went wrong, e.g. `instance web-9 not found`.
    let message: String

    var description: String { self.message }

    /// A failure to reach joistd at `endpoint`.
    static func connectionFailed(_ endpoint: WebSocketEndpoint, cause: any Error) -> WebSocketError {
        WebSocketError(
            code: .connectionFailed,
            status: nil,
            apiCode: nil,
            message: "cannot connect to joistd at \(endpoint): \(cause)"
        )
    }

    /// A server that broke the protocol during the upgrade or afterwards.
    static func protocolViolation(_ detail: String) -> WebSocketError {
        WebSocketError(code: .protocolViolation, status: nil, apiCode: nil, message: detail)
    }

    /// An upgrade answered with `status` instead of 101; takes the message from the API's JSON error
    /// body (`{"error":{"code":…,"message":…}}`), falling back to the body text or the status phrase.
    static func upgradeRejected(status: HTTPResponseStatus, body: ByteBuffer) -> WebSocketError {
        let bytes = Data(body.readableBytesView)
        if let decoded = try? JSONDecoder().decode(APIErrorBody.self, from: bytes) {
            return WebSocketError(
                code: .upgradeRejected,
                status: status,
                apiCode: decoded.error.code,
                message: decoded.error.message
            )
        }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let message = text.isEmpty ? "joistd refused the WebSocket connection: HTTP \(status.code) \(status.reasonPhrase)" : text
        return WebSocketError(code: .upgradeRejected, status: status, apiCode: nil, message: message)
    }
}

extension WebSocketError {
    /// The refusal a close frame stands for: joistd refuses a WebSocket by closing it before any
    /// data with code 4000 + the HTTP status (4401, 4403, 4404, 4409…) and the API's message.
    static func refusal(_ close: WebSocketConnection.CloseReason?) -> WebSocketError? {
        guard let close, case .unknown(let number) = close.code, (4400...4599).contains(Int(number)) else { return nil }
        let status = HTTPResponseStatus(statusCode: Int(number) - 4000)
        let message = close.reason.isEmpty ? "joistd refused the WebSocket connection: HTTP \(status.code) \(status.reasonPhrase)" : close.reason
        return WebSocketError(code: .upgradeRejected, status: status, apiCode: nil, message: message)
    }
}

/// The API's error envelope, as much of it as a refused upgrade needs.
private struct APIErrorBody: Decodable {
    struct Detail: Decodable {
        let code: String?
        let message: String
    }

    let error: Detail
}
