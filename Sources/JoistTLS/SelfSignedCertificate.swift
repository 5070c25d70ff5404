import Crypto
import Foundation
import X509

/// A freshly generated self-signed server certificate and its private key, as PEM text.
///
/// The key is ECDSA P-256. The certificate names the server by every DNS name and IP address
/// given (subject alternative names), is good for TLS server authentication only (`serverAuth`
/// extended key usage, not a CA), and is valid from an hour ago, to tolerate clock skew, for ten
/// years. Clients pin it by fingerprint rather than trusting it by name.
public struct SelfSignedCertificate: Sendable, Equatable {
    /// How long a generated certificate is valid: ten years of 365 days.
    public static let defaultValidity: TimeInterval = 10 * 365 * 24 * 3600

    /// The certificate, `-----BEGIN CERTIFICATE-----`.
    public let certificatePEM: String
    /// The PKCS #8 private key, `-----BEGIN PRIVATE KEY-----`.
    public let privateKeyPEM: String

    /// Generates a key pair and a certificate for it.
    ///
    /// - Parameters:
    ///   - commonName: The subject's common name, e.g. `joistd`.
    ///   - dnsNames: Host names the server answers to, e.g. `["host1", "localhost"]`.
    ///   - ipAddresses: IPv4 or IPv6 addresses, e.g. `["127.0.0.1", "::1"]`.
    ///   - validity: Seconds from `now` until the certificate expires.
    ///   - now: The clock, for tests.
    /// - Throws: ``JoistTLSError`` with code `invalidArgument` for a malformed address or name.
    public static func generate(
        commonName: String = "joistd",
        dnsNames: [String],
        ipAddresses: [String],
        validity: TimeInterval = Self.defaultValidity,
        now: Date = Date()
    ) throws -> SelfSignedCertificate {
        let key = P256.Signing.PrivateKey()
        let signingKey = Certificate.PrivateKey(key)
        let names = try Self.subjectAlternativeNames(dnsNames: dnsNames, ipAddresses: ipAddresses)
        do {
            let subject = try DistinguishedName {
                OrganizationName("Joist")
                CommonName(commonName)
            }
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
            }
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: signingKey.publicKey,
                notValidBefore: now.addingTimeInterval(-3600),
                notValidAfter: now.addingTimeInterval(validity),
                issuer: subject,
                subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions,
                issuerPrivateKey: signingKey
            )
            return SelfSignedCertificate(
                certificatePEM: try certificate.serializeAsPEM().pemString + "\n",
                privateKeyPEM: key.pemRepresentation + "\n"
            )
        } catch {
            throw JoistTLSError(.invalidMaterial, "cannot generate a certificate for \(commonName): \(error)")
        }
    }

    /// The certificate's SAN entries: DNS names first, then IP addresses, without duplicates.
    static func subjectAlternativeNames(dnsNames: [String], ipAddresses: [String]) throws -> [GeneralName] {
        var seenNames = Set<String>()
        var seenAddresses = Set<[UInt8]>()
        var names: [GeneralName] = []
        for name in dnsNames where seenNames.insert(name.lowercased()).inserted {
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") })
            else {
                throw JoistTLSError(.invalidArgument, "'\(name)' is not a DNS name for a certificate")
            }
            names.append(.dnsName(name))
        }
        for address in ipAddresses {
            guard let bytes = IPAddressBytes.parse(address) else {
                throw JoistTLSError(.invalidArgument, "'\(address)' is not an IP address")
            }
            guard seenAddresses.insert(bytes).inserted else { continue }
            names.append(.ipAddress(.init(contentBytes: bytes[...])))
        }
        return names
    }
}

/// Textual IP addresses to the network-order bytes a certificate stores (4 for IPv4, 16 for IPv6).
enum IPAddressBytes {
    static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
