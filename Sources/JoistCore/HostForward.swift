/// A host port forwarded into the guest by QEMU's user-mode network.
public struct HostForward: Codable, Sendable, Equatable {
    public enum Proto: String, Codable, Sendable { case tcp, udp }

    public var proto: Proto
    public var hostAddress: String
    public var hostPort: UInt16
    public var guestAddress: String
    public var guestPort: UInt16

    public init(proto: Proto, hostAddress: String, hostPort: UInt16, guestAddress: String = "", guestPort: UInt16) {
        self.proto = proto
        self.hostAddress = hostAddress
        self.hostPort = hostPort
        self.guestAddress = guestAddress
        self.guestPort = guestPort
    }

    /// Parses `tcp:127.0.0.1:2222-:22` (QEMU's hostfwd syntax); addresses must be IPv4 literals or empty.
    public init(parsing text: String) throws(JoistError) {
        let invalid = JoistError.invalidArgument(
            "invalid hostfwd '\(text)': expected PROTO:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT, e.g. tcp:127.0.0.1:2222-:22")
        let sides = text.split(separator: "-", omittingEmptySubsequences: false)
        guard sides.count == 2 else { throw invalid }
        let host = sides[0].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let guest = sides[1].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard host.count == 3, guest.count == 2, let proto = Proto(rawValue: host[0]),
            let hostPort = UInt16(host[2]), hostPort > 0, let guestPort = UInt16(guest[1]), guestPort > 0,
            Self.isAddress(host[1]), Self.isAddress(guest[0])
        else { throw invalid }
        self.init(proto: proto, hostAddress: host[1], hostPort: hostPort, guestAddress: guest[0], guestPort: guestPort)
    }

    public var description: String { "\(proto.rawValue):\(hostAddress):\(hostPort)-\(guestAddress):\(guestPort)" }

    /// Empty, or a dotted-quad IPv4 address.
    private static func isAddress(_ text: String) -> Bool {
        if text.isEmpty { return true }
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { $0.count <= 3 && UInt8($0) != nil }
    }
}
