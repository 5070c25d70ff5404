import Foundation
import HTTPTypes

/// How a browser presents its token when opening a WebSocket: browsers cannot set `Authorization` on
/// a WebSocket request, but they can offer subprotocols, so the web UI offers two, `joist` and
/// `joist.bearer.` + the token in unpadded base64url (subprotocols are HTTP tokens, and base64url stays
/// within them). The server accepts `joist`, which the browser requires of it, and never echoes the token.
///
/// The token then goes through exactly the checks an `Authorization: Bearer` header would.
enum BrowserWebSocketAuth {
    /// The subprotocol the server answers with.
    static let subprotocol = "joist"
    /// The prefix of the subprotocol that carries the token.
    static let bearerPrefix = "joist.bearer."

    /// `Bearer <token>` when a WebSocket upgrade offers the token as a subprotocol, else nil.
    static func authorization(offeredIn headers: HTTPFields) -> String? {
        guard headers[.upgrade]?.lowercased() == "websocket" else { return nil }
        for offered in offeredProtocols(headers) where offered.hasPrefix(bearerPrefix) {
            guard let token = decodeBase64URL(String(offered.dropFirst(bearerPrefix.count))) else { return "Bearer " }
            return "Bearer " + token
        }
        return nil
    }

    /// `joist` when the client offered it (the browser then requires the answer to name it).
    static func acceptedProtocol(offeredIn headers: HTTPFields) -> String? {
        offeredProtocols(headers).contains(subprotocol) ? subprotocol : nil
    }

    private static func offeredProtocols(_ headers: HTTPFields) -> [String] {
        headers[values: .secWebSocketProtocol]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Unpadded base64url to text; nil when it is not base64url or not UTF-8.
    static func decodeBase64URL(_ text: String) -> String? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}
