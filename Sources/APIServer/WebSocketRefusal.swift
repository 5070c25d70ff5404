import Foundation
import HTTPTypes
import Synchronization

/// How a refused WebSocket upgrade reaches the client.
///
/// An upgrade cannot be refused with a body: hummingbird-websocket answers every refusal with a bare
/// `400` and no reason. So a refused upgrade is accepted and closed at once, before any data, with
/// close code `4000 + HTTP status` (4401, 4403, 4404, 4409, …) and the API's error message as the
/// reason, the way the API would have said it. Plain GETs without an upgrade get the ordinary JSON
/// error.
enum WebSocketRefusal {
    /// Close codes 4000–4999 are for applications (RFC 6455, 7.4.2).
    static func closeCode(for status: HTTPResponse.Status) -> UInt16 {
        UInt16(4000 + min(max(status.code, 400), 599))
    }

    /// A close frame's reason holds at most 123 bytes of UTF-8; longer messages end in "…" at a
    /// character boundary.
    static func reason(_ message: String) -> String {
        let limit = 123
        guard message.utf8.count > limit else { return message }
        var cut = ""
        for character in message {
            if cut.utf8.count + String(character).utf8.count + "…".utf8.count > limit { break }
            cut.append(character)
        }
        return cut + "…"
    }

    /// Whether the request asks for a WebSocket (as opposed to a plain GET of the same path).
    static func isUpgrade(_ fields: HTTPFields) -> Bool {
        fields[.upgrade]?.lowercased().split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == "websocket" } ?? false
    }
}

/// Carries the outcome of a WebSocket route's checks from the upgrade decision to the session: the
/// caller's scope, or the error that refused it. The session uses it as decided, without checking again.
final class UpgradeDecision: Sendable {
    private let value = Mutex<Result<RequestScope, any Error>?>(nil)

    var outcome: Result<RequestScope, any Error>? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
