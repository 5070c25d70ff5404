import Foundation
import JoistTestTraits
import JoistTesting
import NIOHTTP1
import Testing

#if canImport(CLIConsole)
@testable import CLIConsole
#else
@testable import CLI
#endif

/// The graphical console: QEMU's VNC server on a Unix socket, reached through joistd's WebSocket on
/// the TLS listener with a token, by several clients at once.
@Suite("Graphical console over VNC (real daemon)", .bootsGuests, .serialized, .timeLimit(.minutes(15)))
struct GraphicalConsoleTests {
    @Test("an operator and a viewer watch the VGA screen at once; stopped, display=none and unauthenticated are refused")
    func watchTogether() async throws {
        let guest = try await TestGuest.locate()
        // In the host's network namespace: this process reaches the TLS port itself (no networks are made).
        try await DaemonHarness.with(listen: true, privateNetwork: false) { joist in
            let operatorClient = try await Self.client(joist, token: Self.token(joist, "ops", role: "operator"))
            let viewerClient = try await Self.client(joist, token: Self.token(joist, "eyes", role: "viewer"))
            let create = ["create", "--kernel", guest.kernel, "--initrd", guest.initrd, "--cmdline", TestGuest.cmdline, "--memory", "256MiB", "--accel", "tcg"]
            try await joist.succeed(create + ["screen"])
            try await joist.succeed(create + ["--display", "none", "headless"])

            // Refused before any RFB, with the API's status and message: stopped, no display, no token.
            let stopped = await Self.refusal(viewerClient, "screen")
            #expect(stopped?.code == .upgradeRejected && stopped?.status == .conflict, "\(String(describing: stopped))")
            #expect(stopped?.message == "instance screen is not running")
            let headless = await Self.refusal(viewerClient, "headless")
            #expect(headless?.status == .conflict && headless?.message.contains("has no display") == true, "\(String(describing: headless))")
            let anonymous = await #expect(throws: WebSocketError.self) {
                try await WebSocketConnection.withConnection(
                    to: try operatorClient.webSocketTarget().endpoint, path: "/1.0/instances/screen/vnc") { socket in
                    for try await _ in socket.bytes {}
                }
            }
            #expect(anonymous?.code == .upgradeRejected && anonymous?.status == .unauthorized, "\(String(describing: anonymous))")
            try await joist.succeed(["start", "screen"])
            try await operatorClient.withWebSocket(path: "/1.0/instances/screen/vnc") { operatorSocket in
                // Both ask for exclusive access; joistd makes both shared, so both stay connected.
                var operatorRFB = RFBTestClient(operatorSocket)
                let screen = try await operatorRFB.handshake()
                #expect(screen.width > 0 && screen.height > 0, "\(screen)")
                try await viewerClient.withWebSocket(path: "/1.0/instances/screen/vnc") { viewerSocket in
                    var viewerRFB = RFBTestClient(viewerSocket)
                    // The same guest's screen; its size may change between the two handshakes as it boots.
                    let viewerScreen = try await viewerRFB.handshake()
                    #expect(viewerScreen.name == screen.name && viewerScreen.width > 0 && viewerScreen.height > 0, "\(viewerScreen) vs \(screen)")
                    let operatorSees = try await Self.seesText(&operatorRFB, screen)
                    let viewerSees = try await Self.seesText(&viewerRFB, viewerScreen)
                    #expect(operatorSees, "the operator sees one colour only")
                    #expect(viewerSees, "the viewer sees one colour only")

                    // A viewer's keys are dropped, not refused; a message of unknown length ends its session.
                    try await viewerRFB.send([4, 1, 0, 0, 0, 0, 0, 0x61])
                    try await viewerRFB.send([7])
                    #expect(try await viewerRFB.readsToEnd())
                    #expect(viewerSocket.closeReason?.code == .policyViolation, "\(String(describing: viewerSocket.closeReason))")
                }
                // The operator's session outlives the viewer's, and a long paste (ClientCutText of
                // 64 KiB, one frame) does not end it.
                let clipboard = [UInt8](repeating: 0x61, count: 64 << 10)
                try await operatorRFB.send([6, 0, 0, 0] + withUnsafeBytes(of: UInt32(clipboard.count).bigEndian, Array.init) + clipboard)
                try await operatorRFB.requestUpdate(screen, incremental: false)
                #expect(try await operatorRFB.readUpdate().pixels > 0)
            }
            try await joist.succeed(["stop", "--force", "screen"])

            // Each session, and each refusal, is in the audit log under the caller's name.
            let audit = try await joist.succeed(["audit", "--format", "csv"])
            #expect(audit.contains(",eyes,instance.vnc,screen,default,failed,409"), "\(audit)")
            #expect(audit.contains(",anonymous,instance.vnc,screen,default,denied,401"), "\(audit)")
            #expect(audit.contains(",ops,instance.vnc,screen,default,succeeded,101"), "\(audit)")
            #expect(audit.contains(",eyes,instance.vnc,screen,default,succeeded,101"), "\(audit)")
        }
    }

    /// Whether the whole screen shows text (SeaBIOS writes some early in boot): more than a cursor's
    /// worth of pixels off the background. Until it does, waits for the screen to change (an
    /// incremental request is answered only then) and looks at the whole screen again.
    private static func seesText(_ rfb: inout RFBTestClient, _ screen: RFBTestClient.ServerInit) async throws -> Bool {
        try await rfb.setRawTrueColour()
        for _ in 0..<100 {
            try await rfb.requestUpdate(screen, incremental: false)
            let update = try await rfb.readUpdate()
            if update.drawn > 100 { return true }
            try await rfb.requestUpdate(screen, incremental: true)
            _ = try await rfb.readUpdate()
        }
        return false
    }

    private static func refusal(_ client: APIClient, _ instance: String) async -> WebSocketError? {
        do {
            try await client.withWebSocket(path: "/1.0/instances/\(instance)/vnc") { socket in
                for try await _ in socket.bytes {}
            }
            return nil
        } catch {
            return error as? WebSocketError
        }
    }

    /// A token of `role` in the default project.
    private static func token(_ joist: DaemonHarness, _ name: String, role: String) async throws -> String {
        try await joist.succeed(["token", "create", name, "--role", role, "--project", "default"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A client of joistd's TLS listener with `token`, pinning the daemon's certificate.
    private static func client(_ joist: DaemonHarness, token: String) async throws -> APIClient {
        let address = try #require(joist.httpsAddress)
        let certificate = try String(contentsOfFile: joist.stateDirectory + "/tls/server.crt", encoding: .utf8)
        let url = try RemoteURL(parsing: "https://\(address)")
        return APIClient(endpoint: .remote(try RemoteEndpoint(name: "lab", url: url, token: token, certificatePEM: certificate)))
    }
}
