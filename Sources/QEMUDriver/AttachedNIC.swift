public import JoistCore
public import Networking

/// A NIC as QEMU opens it: a `NICSpec` resolved at start to what the host made for it. Pure data,
/// shared by the argv builder and hot-plug.
public struct AttachedNIC: Sendable, Equatable, CustomStringConvertible {
    /// What carries the guest's frames on the host side.
    public enum Backend: Sendable, Equatable {
        /// QEMU's user-mode network, with these host port forwards.
        case user(hostForwards: [HostForward])
        /// The tap device with this name, which the host network driver made and joined to the
        /// network's bridge before QEMU opens it.
        case tap(String)
    }

    /// The NIC's number (`NICSpec.id`); its QEMU ids carry it, so they stay when other NICs go.
    public var index: Int
    public var backend: Backend
    /// `nil` leaves QEMU's default (`52:54:00:12:34:56`, counting up per NIC); only user NICs go without.
    public var mac: MACAddress?
    /// Whether a tap's frames go through the kernel's vhost-net instead of QEMU's own threads: only
    /// where the host has `/dev/vhost-net` (`VhostNet.isAvailable`), since QEMU refuses to start
    /// without it.
    public var vhost: Bool

    public init(index: Int, backend: Backend, mac: MACAddress? = nil, vhost: Bool = false) {
        self.index = index
        self.backend = backend
        self.mac = mac
        self.vhost = vhost
    }

    /// Resolves the NIC `spec` at `identity`: a user NIC as it is; a network NIC to its tap device
    /// (`LinkNames.tap(for:)`) and the MAC stored when it was added.
    ///
    /// - Throws: `invalidState` for a network NIC without a MAC: every network NIC gets one when it is
    ///   added (`StableMACs`), and making one up here would not match its DHCP reservation.
    /// With `vhost`, a network NIC's tap uses vhost-net.
    public init(resolving spec: NICSpec, identity: NICIdentity, vhost: Bool = false) throws(JoistError) {
        switch spec.mode {
        case .user:
            self.init(index: identity.index, backend: .user(hostForwards: spec.hostForwards), mac: spec.mac)
        case .network:
            guard let mac = spec.mac else {
                throw .invalidState(
                    "NIC eth\(identity.index) of instance \(identity.instance) (\(spec)) has no MAC address: remove the NIC and add it again to get one")
            }
            self.init(index: identity.index, backend: .tap(LinkNames.tap(for: identity)), mac: mac, vhost: vhost)
        }
    }

    /// Resolves every NIC of instance `instance` in project `project`, in order, each under its number.
    public static func resolve(_ nics: [NICSpec], project: String, instance: String, vhost: Bool = false) throws(JoistError) -> [AttachedNIC] {
        var attached: [AttachedNIC] = []
        for (index, nic) in NICSpec.numbered(nics).enumerated() {
            let identity = NICIdentity(project: project, instance: instance, index: nic.id ?? index)
            attached.append(try AttachedNIC(resolving: nic, identity: identity, vhost: vhost))
        }
        return attached
    }

    /// The id of the NIC's `-netdev` (`netdev_add`).
    public var netdevID: String { "net\(index)" }
    /// The id of the NIC's guest device (`device_add`).
    public var deviceID: String { "net\(index)-nic" }

    /// `NIC ethN on tap jt-…` or `NIC ethN (user networking)`, for messages.
    public var description: String {
        switch backend {
        case .user: "NIC eth\(index) (user networking)"
        case .tap(let name): "NIC eth\(index) on tap \(name)"
        }
    }
}
