public import JoistCore

/// Where one network's dnsmasq keeps its files: fixed names in the network's state folder
/// (`STATE/networks/NAME/`), so nothing it writes lands outside that folder.
public struct DnsmasqPaths: Sendable, Equatable {
    public let directory: String

    /// Throws when `directory` is not absolute, has `.` or `..` components, or has characters
    /// dnsmasq's config syntax would misread (whitespace, `#`, quotes, `,`, control characters):
    /// the paths are written into its config file verbatim.
    public init(directory: String) throws(JoistError) {
        let components = directory.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard directory.hasPrefix("/"), !components.contains("."), !components.contains("..") else {
            throw .invalidArgument("dnsmasq folder '\(directory)' must be an absolute path without '.' or '..'")
        }
        guard directory.utf8.allSatisfy(Self.isPlain) else {
            throw .invalidArgument(
                "dnsmasq folder '\(directory)' may only contain ASCII letters, digits and / . _ - + @ (dnsmasq reads the paths from its config)")
        }
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    }

    private static func isPlain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "/._-+@".utf8.contains(byte)
        }
    }

    /// The config file dnsmasq is started with (`--conf-file=`).
    public var config: String { directory + "/dnsmasq.conf" }
    /// Reservations, one `--dhcp-host` line each; re-read on SIGHUP, so adding a NIC needs no restart.
    public var hostsFile: String { directory + "/dhcp-hosts" }
    /// The leases dnsmasq hands out: where `joist list` finds each instance's address.
    public var leaseFile: String { directory + "/dnsmasq.leases" }
    public var pidFile: String { directory + "/dnsmasq.pid" }
    public var logFile: String { directory + "/dnsmasq.log" }
}
