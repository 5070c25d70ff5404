import JoistTesting
import Foundation
import JoistTLS
import NIOHTTP1
import NIOWebSocket
import Testing

#if canImport(CLIConsole)
@testable import CLIConsole
#else
@testable import CLI
#endif

@Suite("WebSockets to a remote over pinned TLS")
struct RemoteWebSocketTests {
    static let token = "joist_ci.s3cret"

    /// A client for `server` as a remote named `prod`.
    static func client(for server: TLSTestServer, token: String = Self.token) throws -> APIClient {
        let url = try RemoteURL(parsing: server.url)
        return APIClient(endpoint: .remote(try RemoteEndpoint(name: "prod", url: url, token: token, certificatePEM: server.certificatePEM)))
    }

    @Test("the console runs over TLS with the Authorization header on the upgrade")
    func console() async throws {
        try await withTemporaryDirectory { directory in
            try await TLSTestServer.withServer(token: Self.token, directory: directory) { server in
                let target = try Self.client(for: server).webSocketTarget()
                #expect(target.headers.first(name: "Authorization") == "Bearer \(Self.token)")
                var session = ConsoleSession(endpoint: target.endpoint, instance: "web-1")
                session.headers = target.headers
                let output = ConsoleLockedValue<[UInt8]>([])
                let (input, keyboard) = AsyncStream<[UInt8]>.makeStream()
                async let ending = session.run(
                    input: input, output: { bytes in output.withLock { $0 += bytes } }, notice: { _ in })
                keyboard.yield(Array("hello\n".utf8))
                #expect(await eventually { output.value == Array("HELLO\n".utf8) })
                keyboard.yield([ConsoleDetachScanner.controlRightBracket])
                #expect(try await ending == .detached)
                #expect(server.handled.value == ["/1.0/instances/web-1/console"])
            }
        }
    }

    @Test("without the token the upgrade is refused")
    func consoleWithoutToken() async throws {
        try await withTemporaryDirectory { directory in
            try await TLSTestServer.withServer(token: Self.token, directory: directory) { server in
                let endpoint = try Self.client(for: server).webSocketTarget().endpoint
                let error = await #expect(throws: WebSocketError.self) {
                    try await WebSocketConnection.withConnection(to: endpoint, path: "/1.0/instances/web-1/console") { _ in }
                }
                #expect(error?.code == .upgradeRejected)
            }
        }
    }

    @Test("JSON text messages arrive whole, fragmented ones joined, until the server closes")
    func events() async throws {
        try await withTemporaryDirectory { directory in
            try await TLSTestServer.withServer(token: Self.token, directory: directory) { server in
                let (messages, closeReason) = try await Self.client(for: server).withWebSocket(path: "/1.0/events") { socket in
                    var messages: [String] = []
                    for try await message in socket.textMessages { messages.append(message) }
                    return (messages, socket.closeReason)
                }
                #expect(
                    messages == [
                        #"{"type":"lifecycle","instance":"web-1"}"#,
                        #"{"type":"operation","status":"success"}"#,
                    ])
                #expect(closeReason == .init(code: .normalClosure, reason: "done"))
            }
        }
    }

    @Test("REST over pinned TLS sends the bearer token and returns status, headers and body")
    func restRequest() async throws {
        try await withTemporaryDirectory { directory in
            try await TLSTestServer.withServer(token: Self.token, directory: directory) { server in
                let response = try await Self.client(for: server).request(.GET, "/1.0/instances/web-1")
                #expect(response.status == 200)
                #expect(response.header("ETag") == "\"7\"")
                #expect(String(decoding: response.body, as: UTF8.self) == #"{"name":"web-1"}"#)

                let refused = await #expect(throws: CLIError.self) {
                    try await Self.client(for: server, token: "wrong").request(.GET, "/1.0/instances/web-1")
                }
                #expect(refused?.status == 401)
                #expect(refused?.message == "missing or invalid token (remote prod (\(server.url)))")
            }
        }
    }

    @Test("a remote that is down is named in the error")
    func unreachable() async throws {
        let certificate = try SelfSignedCertificate.generate(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        let port = try await withTemporaryDirectory { directory in
            try await TLSTestServer.withServer(token: Self.token, directory: directory) { $0.port }
        }
        let remote = try RemoteEndpoint(
            name: "prod", url: try RemoteURL(parsing: "https://127.0.0.1:\(port)"), token: Self.token,
            certificatePEM: certificate.certificatePEM)
        let error = await #expect(throws: CLIError.self) { try await APIClient(endpoint: .remote(remote)).send(.GET, "/1.0") }
        #expect(error?.message == "cannot reach joistd at remote prod (https://127.0.0.1:\(port)): connection refused")
    }
}
