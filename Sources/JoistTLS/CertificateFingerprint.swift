import Crypto
import NIOSSL

/// The SHA-256 digest of a certificate's DER encoding, the value clients pin.
///
/// Printed the way `openssl x509 -noout -fingerprint -sha256` prints it (upper-case hex pairs
/// joined by colons), so a user can compare what `joist remote add` shows with what the server's
/// administrator sees.
public struct CertificateFingerprint: Sendable, Hashable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// The fingerprint of a DER-encoded certificate.
    public init(der: some Sequence<UInt8>) {
        self.bytes = Array(SHA256.hash(data: Array(der)))
    }

    /// The fingerprint of the first certificate in PEM text.
    ///
    /// - Throws: ``JoistTLSError`` with code `invalidMaterial` when the text holds no certificate.
    public init(pem: String) throws {
        self.init(der: try Self.derBytes(pem: pem))
    }

    /// Parses a fingerprint typed by a user: 64 hex digits, any case, with or without colons
    /// (`AB:CD:…`, `abcd…`); nil if it is anything else.
    public init?(parsing text: String) {
        let digits = text.filter { $0 != ":" && !$0.isWhitespace }
        guard digits.count == 64, digits.allSatisfy(\.isHexDigit) else { return nil }
        var bytes: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            guard let byte = UInt8(digits[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.bytes = bytes
    }

    /// `AB:CD:…:EF`, 32 pairs.
    public var description: String {
        self.bytes.map { Self.hexPair($0) }.joined(separator: ":")
    }

    /// The first eight pairs and an ellipsis, `AB:CD:EF:01:23:45:67:89…`, for tables.
    public var abbreviated: String {
        self.bytes.prefix(8).map { Self.hexPair($0) }.joined(separator: ":") + "…"
    }

    /// The DER bytes of the first certificate in `pem`.
    public static func derBytes(pem: String) throws -> [UInt8] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
        } catch {
            throw JoistTLSError(.invalidMaterial, "not a PEM certificate: \(error)")
        }
        guard let first = certificates.first else {
            throw JoistTLSError(.invalidMaterial, "not a PEM certificate: no CERTIFICATE block")
        }
        do {
            return try first.toDERBytes()
        } catch {
            throw JoistTLSError(.invalidMaterial, "cannot encode the certificate as DER: \(error)")
        }
    }

    private static func hexPair(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
    }
}
