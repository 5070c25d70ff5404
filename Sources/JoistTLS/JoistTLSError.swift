/// A failure to create, load or fetch TLS material, worded for a user to act on.
///
/// For example: "cannot probe 10.0.0.5:8443: connection refused".
public struct JoistTLSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable class of failure.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { self.rawValue }

        /// A certificate or key is missing its partner, does not parse, or does not match.
        public static let invalidMaterial = Code(rawValue: "invalid_material")
        /// An argument (a host, an IP address, a fingerprint) is malformed.
        public static let invalidArgument = Code(rawValue: "invalid_argument")
        /// A file or directory could not be read or written.
        public static let fileSystem = Code(rawValue: "file_system")
        /// Nothing listens at the address.
        public static let connectionRefused = Code(rawValue: "connection_refused")
        /// The peer did not connect or finish the handshake in time.
        public static let timeout = Code(rawValue: "timeout")
        /// The peer answered, but not with a TLS handshake.
        public static let notTLS = Code(rawValue: "not_tls")
        /// Any other connection failure (no route, name resolution failed…).
        public static let connectionFailed = Code(rawValue: "connection_failed")
    }

    /// The class of failure.
    public let code: Code
    /// What went wrong, as a sentence.
    public let message: String

    /// An error of class `code` saying `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { self.message }
}
