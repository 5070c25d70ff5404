public import JoistCore

/// A port on the host forwarded to an instance on a `nat` network
/// (`joist network forward add web --listen 0.0.0.0:8080 --to web-1:80`).
///
/// `listenAddress` is one of the host's addresses, or `0.0.0.0` for all of them; `targetAddress`
/// is the instance's address on the network (its reservation). Connections from the host itself
/// reach the forward too; for a loopback listen address (`127.0.0.1`, or `0.0.0.0` from the host)
/// the kernel must also route loopback-sourced packets to the bridge, which is the bridge's
/// `route_localnet` setting (`NFTablesRuleset.Network.needsRouteLocalnet`).
public struct PortForward: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Proto: String, Codable, Sendable, CaseIterable, Comparable {
        case tcp, udp

        public static func < (a: Proto, b: Proto) -> Bool { a.rawValue < b.rawValue }
    }

    public var proto: Proto
    public var listenAddress: IPv4Address
    public var listenPort: UInt16
    public var targetAddress: IPv4Address
    public var targetPort: UInt16

    public init(proto: Proto = .tcp, listenAddress: IPv4Address, listenPort: UInt16, targetAddress: IPv4Address, targetPort: UInt16) {
        self.proto = proto
        self.listenAddress = listenAddress
        self.listenPort = listenPort
        self.targetAddress = targetAddress
        self.targetPort = targetPort
    }

    /// `tcp 0.0.0.0:8080 -> 10.1.2.3:80`.
    public var description: String {
        "\(proto.rawValue) \(listenAddress):\(listenPort) -> \(targetAddress):\(targetPort)"
    }

    /// Whether the forward listens on every host address.
    public var listensEverywhere: Bool { listenAddress == .any }

    /// Whether connections from the host's loopback reach it.
    public var listensOnLoopback: Bool { listensEverywhere || listenAddress.octets[0] == 127 }

    /// Whether both claim some of the same incoming connections: same protocol and port, and the
    /// same address or either one listening everywhere.
    public func clashes(with other: PortForward) -> Bool {
        proto == other.proto && listenPort == other.listenPort
            && (listenAddress == other.listenAddress || listensEverywhere || other.listensEverywhere)
    }

    public static func < (a: PortForward, b: PortForward) -> Bool {
        (a.proto, a.listenAddress, a.listenPort, a.targetAddress, a.targetPort)
            < (b.proto, b.listenAddress, b.listenPort, b.targetAddress, b.targetPort)
    }
}
