import NIOCore
import NIOHTTP1
import Testing

#if canImport(CLIConsole)
@testable import CLIConsole
#else
@testable import CLI
#endif

@Suite("WebSocket errors from refused upgrades")
struct WebSocketErrorTests {
    @Test(
        "the message comes from the JSON error body, else the body text, else the status",
        arguments: [
            (#"{"error":{"code":"not_found","message":"instance web-9 not found"}}"#, "instance web-9 not found"),
            ("upstream unavailable\n", "upstream unavailable"),
            ("", "joistd refused the WebSocket connection: HTTP 502 Bad Gateway"),
        ]
    )
    func message(body: String, expected: String) {
        let error = WebSocketError.upgradeRejected(status: .badGateway, body: ByteBuffer(string: body))
        #expect(error.description == expected)
        #expect(error.status == .badGateway)
    }
}
