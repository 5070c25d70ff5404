import Foundation
import JoistTesting
import Hummingbird
import HummingbirdTLS
import HummingbirdWebSocket
import JoistTLS
import NIOCore

#if canImport(CLIConsole)
@testable import CLIConsole
#else
@testable import CLI
#endif

/// A stand-in for joistd's TCP listener: TLS with a self-signed certificate on 127.0.0.1, every
/// route behind `Authorization: Bearer <token>`.
///
/// Routes: `GET /1.0` (a `ServerInfo` for identity `ci`, role `operator`), `GET /1.0/instances/web-1`
/// (a small JSON body with an `ETag`), the console WebSocket (echoes input upper-cased) and
/// `/1.0/events` (two JSON text messages, the second fragmented, then a normal close).
final class TLSTestServer: Sendable {
    /// The port the server is bound to on 127.0.0.1.
    let port: Int
    /// The certificate it presents, PEM.
    let certificatePEM: String
    /// Requests that reached a route handler (authenticated or not), by path.
    let handled: ConsoleLockedValue<[String]>

    private init(port: Int, certificatePEM: String, handled: ConsoleLockedValue<[String]>) {
        self.port = port
        self.certificatePEM = certificatePEM
        self.handled = handled
    }

    /// `https://127.0.0.1:PORT`.
    var url: String { "https://127.0.0.1:\(self.port)" }

    /// The certificate's fingerprint.
    var fingerprint: CertificateFingerprint {
        get throws { try CertificateFingerprint(pem: self.certificatePEM) }
    }

    /// Runs a server for the length of `body`.
    ///
    /// - Parameters:
    ///   - token: The one token accepted.
    ///   - port: 0 for a port of the kernel's choice, or a port to bind again (a "restart").
    ///   - directory: Where the certificate and key go; a fresh pair is made there unless one exists.
    static func withServer<Result: Sendable>(
        token: String,
        port: Int = 0,
        directory: String,
        _ body: @Sendable (TLSTestServer) async throws -> Result
    ) async throws -> Result {
        let paths = try ServerTLSMaterial.loadOrCreate(directory: directory, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        let tls = try JoistTLSConfiguration.server(certificatePath: paths.certificate, privateKeyPath: paths.privateKey)
        let certificatePEM = try String(contentsOfFile: paths.certificate, encoding: .utf8)
        let handled = ConsoleLockedValue<[String]>([])
        let boundPort = ConsoleLockedValue<Int?>(nil)

        let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
        let app = Application(
            router: Self.router(token: token, handled: handled),
            server: try .tls(
                .http1WebSocketUpgrade(webSocketRouter: Self.webSocketRouter(token: token, handled: handled)),
                tlsConfiguration: tls),
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in
                boundPort.withLock { $0 = channel.localAddress?.port }
                readyContinuation.finish()
            }
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { readyContinuation.finish() }
                try await app.runService()
            }
            for await _ in ready {}
            guard let port = boundPort.value else {
                group.cancelAll()
                try await group.waitForAll()
                throw CLIError("the test server did not start")
            }
            let server = TLSTestServer(port: port, certificatePEM: certificatePEM, handled: handled)
            do {
                let result = try await body(server)
                group.cancelAll()
                try? await group.waitForAll()
                return result
            } catch {
                group.cancelAll()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    private static func authorized(_ request: Request, token: String) -> Bool {
        request.headers[.authorization] == "Bearer \(token)"
    }

    private static func router(token: String, handled: ConsoleLockedValue<[String]>) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/1.0") { request, _ -> Response in
            handled.withLock { $0.append("/1.0") }
            guard Self.authorized(request, token: token) else { return Self.unauthenticated() }
            return Self.json(#"{"apiVersion":"1.0","version":"test","identity":"ci","role":"operator"}"#)
        }
        router.get("/1.0/instances/web-1") { request, _ -> Response in
            handled.withLock { $0.append("/1.0/instances/web-1") }
            guard Self.authorized(request, token: token) else { return Self.unauthenticated() }
            var response = Self.json(#"{"name":"web-1"}"#)
            response.headers[.eTag] = "\"7\""
            return response
        }
        return router
    }

    private static func webSocketRouter(token: String, handled: ConsoleLockedValue<[String]>) -> Router<BasicWebSocketRequestContext> {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.ws("/1.0/instances/web-1/console") { request, _ in
            handled.withLock { $0.append("/1.0/instances/web-1/console") }
            return Self.authorized(request, token: token) ? .upgrade([:]) : .dontUpgrade
        } onUpgrade: { inbound, outbound, _ in
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .binary(let buffer) = message else { continue }
                let echo = String(decoding: buffer.readableBytesView, as: UTF8.self).uppercased()
                try await outbound.write(.binary(ByteBuffer(string: echo)))
            }
        }
        router.ws("/1.0/events") { request, _ in
            handled.withLock { $0.append("/1.0/events") }
            return Self.authorized(request, token: token) ? .upgrade([:]) : .dontUpgrade
        } onUpgrade: { _, outbound, _ in
            try await outbound.write(.text(#"{"type":"lifecycle","instance":"web-1"}"#))
            try await outbound.withTextMessageWriter { write in
                try await write(#"{"type":"operation","#)
                try await write(#""status":"success"}"#)
            }
            try await outbound.close(.normalClosure, reason: "done")
        }
        return router
    }

    private static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private static func unauthenticated() -> Response {
        let json = #"{"error":{"code":"unauthenticated","message":"missing or invalid token"}}"#
        return Response(
            status: .unauthorized, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }
}
