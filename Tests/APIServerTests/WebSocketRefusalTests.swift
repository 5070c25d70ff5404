import Foundation
import HTTPTypes
import JoistAPI
import Testing

@testable import APIServer

@Suite("WebSocket refusals and audited sessions")
struct WebSocketRefusalTests {
    @Test("a refusal closes with 4000 + the HTTP status, kept within 4400–4599")
    func closeCodes() {
        #expect(WebSocketRefusal.closeCode(for: .unauthorized) == 4401)
        #expect(WebSocketRefusal.closeCode(for: .conflict) == 4409)
        #expect(WebSocketRefusal.closeCode(for: .internalServerError) == 4500)
        #expect(WebSocketRefusal.closeCode(for: .ok) == 4400)
    }

    @Test("a reason fits a close frame's 123 bytes, cut at a character with an ellipsis")
    func reasons() {
        #expect(WebSocketRefusal.reason("instance web is not running") == "instance web is not running")
        let exact = String(repeating: "a", count: 123)
        #expect(WebSocketRefusal.reason(exact) == exact)
        let long = String(repeating: "é", count: 100)  // 200 bytes
        let cut = WebSocketRefusal.reason(long)
        #expect(cut.utf8.count <= 123 && cut.hasSuffix("…") && cut.hasPrefix("éé"))
        #expect(String(decoding: Array(cut.utf8), as: UTF8.self) == cut)
    }

    @Test("only requests asking for a WebSocket are upgrades")
    func upgrades() {
        #expect(WebSocketRefusal.isUpgrade([.upgrade: "websocket"]))
        #expect(WebSocketRefusal.isUpgrade([.upgrade: "WebSocket"]))
        #expect(WebSocketRefusal.isUpgrade([.upgrade: "h2c, websocket"]))
        #expect(!WebSocketRefusal.isUpgrade([.upgrade: "h2c"]))
        #expect(!WebSocketRefusal.isUpgrade([:]))
    }

    @Test("a plain GET of a console gets the JSON error; console and VNC sessions and file pulls are audited")
    func plainGetsAndAudit() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        try await fixture.createInstance("vm")
        try await fixture.withClient { client in
            let stopped = try await client.request(.get, "/1.0/instances/vm/console", as: .viewer)
            #expect(stopped.status == 409 && stopped.errorCode == "invalid_state", "\(String(decoding: stopped.body, as: UTF8.self))")
            let anonymous = try await client.request(.get, "/1.0/instances/vm/vnc", as: .anonymous)
            #expect(anonymous.status == 401 && anonymous.errorCode == "unauthenticated")
            // An upgrade is let through: the session closes at once with the refusal.
            let upgrade = try await client.request(
                .get, "/1.0/instances/vm/console", as: .anonymous, headers: [.upgrade: "websocket", .connection: "upgrade"])
            #expect(upgrade.status == 200 && upgrade.body.isEmpty)
            let pull = try await client.request(.get, "/1.0/instances/vm/files?path=/etc/hostname", as: .operator)
            #expect(pull.status == 409)
            // The event stream is a read like any other: not audited.
            _ = try await client.request(.get, "/1.0/events", as: .viewer)

            let audit = try await client.request(.get, "/1.0/audit", as: .admin).decode(Page<AuditEntry>.self).items
            let lines = audit.filter { $0.action != "instance.create" }.map { "\($0.actor) \($0.action) \($0.target ?? "") \($0.outcome.rawValue) \($0.status)" }
            #expect(
                Set(lines)
                    == [
                        "viewer instance.console vm failed 409", "anonymous instance.vnc vm denied 401",
                        "anonymous instance.console vm denied 401", "operator instance.file-pull vm failed 409",
                    ], "\(lines)")
        }
    }
}
