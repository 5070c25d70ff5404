/// The banner QEMU sends when a client connects: its version and the capabilities it offers.
public struct QMPGreeting: Sendable, Hashable {
    /// A QEMU version such as 8.2.1.
    public struct Version: Sendable, Hashable, CustomStringConvertible {
        /// The major version.
        public let major: Int
        /// The minor version.
        public let minor: Int
        /// The micro version.
        public let micro: Int
        /// The distribution's package string (`"Debian 1:8.2.1+ds-1"`); often empty.
        public let package: String

        /// Creates a version.
        public init(major: Int, minor: Int, micro: Int, package: String = "") {
            self.major = major
            self.minor = minor
            self.micro = micro
            self.package = package
        }

        /// The version as `major.minor.micro`.
        public var description: String { "\(major).\(minor).\(micro)" }
    }

    /// The QEMU version.
    public let version: Version
    /// Capabilities QEMU offers (such as `"oob"`); Joist enables none of them.
    public let capabilities: [String]

    /// Creates a greeting.
    public init(version: Version, capabilities: [String]) {
        self.version = version
        self.capabilities = capabilities
    }
}
