/// A network interface of an instance.
///
/// Either QEMU's user-mode network (`user`, optionally with host port forwards), which needs nothing
/// on the host, or a tap device joined to one of Joist's networks (`network=NAME`), where the guest
/// gets an address from the network's DHCP server: the one fixed with `ip=`, or any free one.
public struct NICSpec: Sendable, Equatable {
    public enum Mode: String, Codable, Sendable {
        /// QEMU's built-in NAT (slirp): reachable from the host only through port forwards.
        case user
        /// A tap device on a Joist network's bridge.
        case network
    }

    public var mode: Mode
    /// The NIC's number within its instance, given once when the NIC is added and kept for life:
    /// its name is `ethN` (`name`), and its tap device, default MAC and QEMU ids derive from it, so
    /// none of them change when another NIC is removed. `nil` only until the instance's daemon numbers
    /// it (`numbered(_:)`); records written before NICs had numbers get their list positions.
    public var id: Int?
    /// Host ports QEMU forwards into the guest (user NICs only).
    public var hostForwards: [HostForward]
    /// The network the NIC joins (network NICs only).
    public var network: String?
    /// The guest's MAC address. A network NIC gets a stable one when it is added and keeps it, so
    /// its DHCP reservation and the guest's view of it never change.
    public var mac: MACAddress?
    /// The address reserved for the NIC in its network's DHCP server (network NICs only).
    public var ip: IPv4Address?
    /// The VLANs the NIC's port carries on its network's bridge (network NICs only); nil is an
    /// ordinary untagged port.
    public var vlan: VLANPort?

    /// A user-mode NIC.
    public init(hostForwards: [HostForward] = [], mac: MACAddress? = nil) {
        self.mode = .user
        self.hostForwards = hostForwards
        self.mac = mac
    }

    /// A NIC on the Joist network `network`.
    public init(network: String, mac: MACAddress? = nil, ip: IPv4Address? = nil, vlan: VLANPort? = nil) {
        self.mode = .network
        self.hostForwards = []
        self.network = network
        self.mac = mac
        self.ip = ip
        self.vlan = vlan
    }

    /// The largest NIC number: names stay short, and no machine takes that many devices anyway.
    public static let maxID = 255

    /// The NIC's name, `eth` and its number (`eth0`, `eth1`, …): how `joist nic remove` and the API
    /// name it. It is Joist's name; the guest names its interfaces itself.
    public var name: String? { id.map { "eth\($0)" } }

    /// `nics` with every NIC that has no number given the lowest one no other NIC has, in order. A
    /// list where no NIC has one (a new instance, an old record) is numbered by position.
    public static func numbered(_ nics: [NICSpec]) -> [NICSpec] {
        var taken = Set(nics.compactMap(\.id))
        return nics.map { nic in
            guard nic.id == nil else { return nic }
            var nic = nic
            let id = (0...).first { !taken.contains($0) } ?? 0
            taken.insert(id)
            nic.id = id
            return nic
        }
    }

    /// The number of NIC `name` (`eth3` is 3), or nil when `name` is not a NIC's name.
    public static func id(named name: String) -> Int? {
        guard name.hasPrefix("eth"), let id = Int(name.dropFirst(3)), (0...maxID).contains(id), "eth\(id)" == name else { return nil }
        return id
    }

    /// Checks that the fields fit the mode: a network NIC names a valid network, forwards no host
    /// ports and carries valid VLANs; a user NIC joins no network and has no fixed address or VLAN.
    public func validate() throws(JoistError) {
        if let id, !(0...Self.maxID).contains(id) {
            throw .invalidArgument("NIC number \(id) is out of range: NICs are eth0 to eth\(Self.maxID)")
        }
        switch mode {
        case .user:
            if let network {
                throw .invalidArgument("a user NIC joins no network: write network=\(network) instead of user to join \(network)")
            }
            if let ip { throw Self.addressOnUserNIC(ip.description) }
            if let vlan { throw Self.vlanOnUserNIC(vlan) }
        case .network:
            guard let network else { throw .invalidArgument("a network NIC needs the network's name: network=NAME") }
            try ResourceName.validate(network, kind: "network")
            guard hostForwards.isEmpty else { throw Self.forwardOnNetworkNIC(network) }
            try vlan?.validate()
        }
    }

    static func addressOnUserNIC(_ ip: String) -> JoistError {
        .invalidArgument("ip=\(ip) needs a NIC on a Joist network (network=NAME,ip=\(ip)): user networking picks the guest's address itself")
    }

    static func vlanOnUserNIC(_ vlan: VLANPort) -> JoistError {
        .invalidArgument(
            "\(vlan) needs a NIC on a Joist network (network=NAME,\(vlan)): user networking has no bridge to carry VLANs")
    }

    static func forwardOnNetworkNIC(_ network: String) -> JoistError {
        .invalidArgument("hostfwd= is for user NICs: forward a host port to a NIC on network \(network) with joist network forward add")
    }
}
