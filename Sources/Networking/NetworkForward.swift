public import JoistCore

/// A port forward as Joist keeps it: a port of the host forwarded to a port of an instance on a
/// `nat` network (`joist network forward add web --listen 0.0.0.0:8080 --to web-1:80`).
///
/// It names its target by project and instance, as the user did, and keeps the address that
/// instance's NIC holds on the network (`NICSpec.ip`, assigned once by `StableAddresses`), so the
/// ruleset can be rendered from the forwards alone when the daemon starts, before any instance has
/// loaded. The two stay in step because a NIC's address never changes while the NIC exists, and a
/// forward goes when its target instance does.
public struct NetworkForward: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var proto: PortForward.Proto
    /// One of the host's addresses, or `0.0.0.0` for all of them.
    public var listenAddress: IPv4Address
    public var listenPort: UInt16
    /// The target instance's project.
    public var project: String
    /// The target instance's name.
    public var instance: String
    public var targetPort: UInt16
    /// The target instance's address on the network.
    public var targetAddress: IPv4Address

    public init(
        proto: PortForward.Proto = .tcp, listenAddress: IPv4Address, listenPort: UInt16, project: String, instance: String,
        targetPort: UInt16, targetAddress: IPv4Address
    ) {
        self.proto = proto
        self.listenAddress = listenAddress
        self.listenPort = listenPort
        self.project = project
        self.instance = instance
        self.targetPort = targetPort
        self.targetAddress = targetAddress
    }

    /// What names the forward on its network: what it listens on, which no other forward shares.
    public var id: ID { ID(proto: proto, listenAddress: listenAddress, listenPort: listenPort) }

    /// The forward as the ruleset renders it.
    public var portForward: PortForward {
        PortForward(proto: proto, listenAddress: listenAddress, listenPort: listenPort, targetAddress: targetAddress, targetPort: targetPort)
    }

    /// `tcp 0.0.0.0:8080 -> web-1:80`, with the project when it is not `default`.
    public var description: String {
        let target = project == "default" ? instance : "\(project)/\(instance)"
        return "\(proto.rawValue) \(listenAddress):\(listenPort) -> \(target):\(targetPort)"
    }

    public static func < (a: NetworkForward, b: NetworkForward) -> Bool { a.id < b.id }

    /// A forward's name in the API and the CLI: `PROTO-ADDRESS-PORT`, e.g. `tcp-0.0.0.0-8080`.
    /// Neither part contains `-`, so the text reads back unambiguously.
    public struct ID: Hashable, Sendable, Comparable, CustomStringConvertible {
        public var proto: PortForward.Proto
        public var listenAddress: IPv4Address
        public var listenPort: UInt16

        public init(proto: PortForward.Proto, listenAddress: IPv4Address, listenPort: UInt16) {
            self.proto = proto
            self.listenAddress = listenAddress
            self.listenPort = listenPort
        }

        /// Reads `tcp-0.0.0.0-8080`.
        public init(parsing text: String) throws(JoistError) {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, let proto = PortForward.Proto(rawValue: String(parts[0])),
                let address = IPv4Address.parse(parts[1]), let port = port(parts[2])
            else {
                throw .invalidArgument("'\(text)' is not a port forward: write PROTO-ADDRESS-PORT, e.g. tcp-0.0.0.0-8080")
            }
            self.init(proto: proto, listenAddress: IPv4Address(address), listenPort: port)
        }

        public var description: String { "\(proto.rawValue)-\(listenAddress)-\(listenPort)" }

        public static func < (a: ID, b: ID) -> Bool {
            (a.proto, a.listenAddress, a.listenPort) < (b.proto, b.listenAddress, b.listenPort)
        }
    }
}

extension NetworkForward {
    /// Reads `ADDRESS:PORT` (`0.0.0.0:8080`), the form of `--listen`.
    public static func parseListen(_ text: String) throws(JoistError) -> (address: IPv4Address, port: UInt16) {
        guard let colon = text.lastIndex(of: ":"), let address = IPv4Address.parse(text[..<colon]),
            let port = port(text[text.index(after: colon)...])
        else {
            throw .invalidArgument("'\(text)' is not an address and port: write ADDRESS:PORT, e.g. 0.0.0.0:8080 (0.0.0.0: every host address)")
        }
        return (IPv4Address(address), port)
    }

    /// Reads `INSTANCE:PORT` (`web-1:80`), the form of `--to`; the instance must be a valid name.
    public static func parseTarget(_ text: String) throws(JoistError) -> (instance: String, port: UInt16) {
        guard let colon = text.lastIndex(of: ":"), let port = port(text[text.index(after: colon)...]) else {
            throw .invalidArgument("'\(text)' is not an instance and port: write INSTANCE:PORT, e.g. web-1:80")
        }
        return (try ResourceName.validate(String(text[..<colon]), kind: "instance"), port)
    }
}

/// A port number from 1 to 65535 in plain decimal digits.
private func port(_ text: Substring) -> UInt16? {
    guard (1...5).contains(text.utf8.count), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let port = UInt16(text), port > 0
    else { return nil }
    return port
}

extension NetworkForward {
    /// The forward to `instance`'s port `targetPort` on network `network`, at the address the
    /// instance's NIC holds there. `nics` are the instance's NICs, nil when there is no such instance
    /// in `project`. Refused when the instance has no NIC on the network or the NIC has no address
    /// (a `bridge` network's LAN assigns those, and Joist does not forward to it).
    public static func resolve(
        network: String, proto: PortForward.Proto, listenAddress: IPv4Address, listenPort: UInt16, project: String,
        instance: String, targetPort: UInt16, nics: [NICSpec]?
    ) throws(JoistError) -> NetworkForward {
        let named = project == "default" ? "instance \(instance)" : "instance \(instance) in project \(project)"
        guard let nics else { throw .notFound("\(named) not found") }
        guard let nic = nics.first(where: { $0.mode == .network && $0.network == network }) else {
            throw .invalidArgument("\(named) has no NIC on network \(network); a port forward reaches an instance through the network it forwards on")
        }
        guard let address = nic.ip else {
            throw .invalidArgument("\(named)'s NIC on network \(network) has no address of Joist's; port forwards need a nat network")
        }
        guard targetPort > 0 else { throw .invalidArgument("cannot forward to port 0 of \(named): ports are from 1 to 65535") }
        return NetworkForward(
            proto: proto, listenAddress: listenAddress, listenPort: listenPort, project: project, instance: instance,
            targetPort: targetPort, targetAddress: address)
    }
}
