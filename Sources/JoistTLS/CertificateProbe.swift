import NIOCore
import NIOPosix
import NIOSSL

/// Fetches the certificate a TLS server presents, without trusting it: the first step of pinning.
///
/// The handshake runs with a verification callback that accepts any chain and records it, so
/// a self-signed or expired certificate is still returned for the user to inspect.
public enum CertificateProbe {
    /// Connects to `host:port`, completes a TLS handshake and returns the DER bytes of the server's
    /// leaf certificate.
    ///
    /// - Parameters:
    ///   - host: A host name or IP address, e.g. `10.0.0.5` or `vmhost.example`.
    ///   - port: The TLS port, e.g. 8443.
    ///   - timeout: How long connecting and the handshake may take together.
    /// - Throws: ``JoistTLSError`` with code `connectionRefused`, `timeout`, `notTLS` (the peer spoke
    ///   something other than TLS) or `connectionFailed`.
    public static func leafCertificate(
        host: String,
        port: Int,
        timeout: TimeAmount = .seconds(10),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> [UInt8] {
        let address = Self.display(host: host, port: port)
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: Self.configuration())
        } catch {
            throw JoistTLSError(.connectionFailed, "cannot probe \(address): \(error)")
        }
        let eventLoop = group.next()
        // Completed with the leaf as soon as the peer presents its chain; the handshake need not finish.
        let presented = eventLoop.makePromise(of: [UInt8].self)
        let deadline = eventLoop.scheduleTask(in: timeout) {
            presented.fail(JoistTLSError(.timeout, "cannot probe \(address): no TLS handshake within \(Self.seconds(timeout))"))
        }
        defer { deadline.cancel() }
        // SNI carries names only; an IP address there is a protocol error.
        let serverName = Self.isIPAddress(host) ? nil : host

        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let tls = try NIOSSLClientHandler(context: context, serverHostname: serverName) { certificates, verified in
                            Self.record(certificates, in: presented)
                            verified.succeed(.certificateVerified)
                        }
                        try channel.pipeline.syncOperations.addHandlers(tls, HandshakeWatcher(presented: presented))
                    }
                }
                .connect(host: host, port: port)
                .get()
        } catch {
            presented.fail(error)
            throw Self.connectError(error, address: address, timeout: timeout)
        }
        defer { channel.close(promise: nil) }
        do {
            return try await presented.futureResult.get()
        } catch let error as JoistTLSError {
            throw error
        } catch {
            throw JoistTLSError(
                .notTLS, "cannot probe \(address): it did not complete a TLS handshake; is it joistd's TLS port? (\(error))")
        }
    }

    /// Completes `presented` with the leaf certificate's DER bytes.
    private static func record(_ certificates: [NIOSSLCertificate], in presented: EventLoopPromise<[UInt8]>) {
        guard let leaf = certificates.first else {
            presented.fail(JoistTLSError(.notTLS, "the server presented no certificate"))
            return
        }
        presented.completeWith(Result { try leaf.toDERBytes() })
    }

    /// Accept-anything verification so the callback sees every chain; nothing else is trusted.
    private static func configuration() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        // The callback replaces verification but only runs when verification is on at all.
        configuration.certificateVerification = .noHostnameVerification
        configuration.trustRoots = .certificates([])
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    /// Words a connect failure the way a user would describe it.
    private static func connectError(_ error: any Error, address: String, timeout: TimeAmount) -> JoistTLSError {
        if let error = error as? ChannelError, case .connectTimeout = error {
            return JoistTLSError(.timeout, "cannot probe \(address): no connection within \(Self.seconds(timeout))")
        }
        let causes: [any Error] = (error as? NIOConnectionError)?.connectionErrors.map(\.error) ?? [error]
        if causes.contains(where: { ($0 as? IOError)?.errnoCode == ECONNREFUSED }) {
            return JoistTLSError(.connectionRefused, "cannot probe \(address): connection refused")
        }
        if causes.contains(where: { if let error = $0 as? ChannelError, case .connectTimeout = error { true } else { false } }) {
            return JoistTLSError(.timeout, "cannot probe \(address): no connection within \(Self.seconds(timeout))")
        }
        return JoistTLSError(.connectionFailed, "cannot probe \(address): \(error)")
    }

    private static func isIPAddress(_ host: String) -> Bool { IPAddressBytes.parse(host) != nil }

    /// `host:port`, with IPv6 addresses in brackets.
    private static func display(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    private static func seconds(_ amount: TimeAmount) -> String {
        let milliseconds = amount.nanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}

/// Fails `presented` with the first error or an early close; a completed promise ignores both.
private final class HandshakeWatcher: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private let presented: EventLoopPromise<[UInt8]>

    init(presented: EventLoopPromise<[UInt8]>) {
        self.presented = presented
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.presented.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.presented.fail(ClosedDuringHandshake())
        context.fireChannelInactive()
    }
}

/// The peer hung up before the handshake finished, as plain-TCP servers do on receiving a ClientHello.
private struct ClosedDuringHandshake: Error, CustomStringConvertible {
    var description: String { "the server closed the connection during the handshake" }
}
