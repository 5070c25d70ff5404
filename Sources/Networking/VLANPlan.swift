public import JoistCore

/// The VLAN changes one network or one NIC needs on the host, as data: rendered and golden-tested
/// before `HostNetworkDriver.applyVLANPlan` carries them out, step by step, in order.
///
/// Every name is a validated interface name and every id a valid VLAN id by construction, so a
/// plan's commands never carry anything a user typed unchecked.
public struct VLANPlan: Sendable, Equatable, CustomStringConvertible {
    /// One change; its command is the `ip`/`bridge` argv the Linux driver runs.
    public enum Step: Sendable, Equatable, CustomStringConvertible {
        /// Makes a Joist bridge filter by VLAN. Ports then get VLAN 1 untagged by default, which
        /// NICs without a VLAN keep, so turning it on changes nothing for them.
        case enableFiltering(bridge: String)
        /// The host's bridge must already filter by VLAN: Joist reads a host's interfaces, never
        /// changes them, and turning filtering on would cut off the host's tagged traffic.
        case requireFiltering(bridge: String)
        /// Makes the VLAN sub-interface `uplink.name` of `uplink.parent` with id `uplink.id`.
        case addVLANLink(VLANUplink)
        /// Joins `link` to `bridge` as a port, and brings it up.
        case joinBridge(link: String, bridge: String)
        /// Removes a link Joist made.
        case deleteLink(String)
        /// Makes `port` a member of VLAN `id`; `untagged` also makes it the port's PVID and sends
        /// its frames untagged (an access port), otherwise they stay tagged (a trunk).
        case addVLAN(port: String, id: Int, untagged: Bool)
        /// Takes `port` out of VLAN `id`.
        case deleteVLAN(port: String, id: Int)

        /// The host command the step maps to; `requireFiltering` maps to the read that checks it.
        public var command: [String] {
            switch self {
            case .enableFiltering(let bridge):
                ["ip", "link", "set", "dev", bridge, "type", "bridge", "vlan_filtering", "1"]
            case .requireFiltering(let bridge):
                ["ip", "-j", "-d", "link", "show", "dev", bridge]
            case .addVLANLink(let uplink):
                ["ip", "link", "add", "link", uplink.parent, "name", uplink.name, "type", "vlan", "id", String(uplink.id)]
            case .joinBridge(let link, let bridge):
                ["ip", "link", "set", "dev", link, "master", bridge, "up"]
            case .deleteLink(let link):
                ["ip", "link", "del", "dev", link]
            case .addVLAN(let port, let id, let untagged):
                ["bridge", "vlan", "add", "dev", port, "vid", String(id)] + (untagged ? ["pvid", "untagged"] : [])
            case .deleteVLAN(let port, let id):
                ["bridge", "vlan", "del", "dev", port, "vid", String(id)]
            }
        }

        /// The kernel feature the step needs.
        public var feature: HostNetworkFeature? {
            switch self {
            case .enableFiltering, .requireFiltering, .addVLAN, .deleteVLAN: .bridgeVLANFiltering
            case .addVLANLink: .vlanInterfaces
            case .joinBridge, .deleteLink: nil
            }
        }

        /// One line: the command, and for a check what it must find.
        public var description: String {
            let line = command.joined(separator: " ")
            guard case .requireFiltering(let bridge) = self else { return line }
            return line + "  # must show vlan_filtering 1: \(bridge) is the host's"
        }
    }

    public var steps: [Step]

    public init(_ steps: [Step] = []) {
        self.steps = steps
    }

    /// The kernel features the plan needs.
    public var features: Set<HostNetworkFeature> { Set(steps.compactMap(\.feature)) }

    public var isEmpty: Bool { steps.isEmpty }

    /// The steps about the bridge as a whole (filtering on, or checked), and the rest: a NIC's
    /// bridge steps go before its tap is made, so a bridge that cannot carry VLANs refuses the NIC
    /// before anything of it exists.
    public var bridgeFirst: (bridge: VLANPlan, rest: VLANPlan) {
        let isBridgeStep: (Step) -> Bool = { step in
            switch step {
            case .enableFiltering, .requireFiltering: true
            default: false
            }
        }
        return (VLANPlan(steps.filter(isBridgeStep)), VLANPlan(steps.filter { !isBridgeStep($0) }))
    }

    /// One command per line, as a golden file pins it.
    public var description: String { steps.map { "\($0)\n" }.joined() }

    /// The VLAN the kernel gives every port of a filtering bridge, untagged, when it joins.
    public static let defaultVLAN = 1

    /// Brings a `bridge` network's VLAN sub-interface up as a port of the network's own bridge:
    /// nothing for a network without a `vlan`.
    public static func uplink(of layout: NetworkLayout) throws(JoistError) -> VLANPlan {
        guard let uplink = layout.uplink else { return VLANPlan() }
        try validate(uplink)
        let bridge = try InterfaceName.validate(layout.bridge, role: "bridge")
        return VLANPlan([.addVLANLink(uplink), .joinBridge(link: uplink.name, bridge: bridge)])
    }

    /// Removes a `bridge` network's VLAN sub-interface (before its bridge goes).
    public static func removeUplink(of layout: NetworkLayout) throws(JoistError) -> VLANPlan {
        guard let uplink = layout.uplink else { return VLANPlan() }
        try validate(uplink)
        return VLANPlan([.deleteLink(uplink.name)])
    }

    /// Makes the tap `tap` on network `layout` carry `vlan`: the bridge filters (Joist's own bridge
    /// is told to; a host's must already), the port joins its VLANs, and leaves the default VLAN 1
    /// unless it is one of them, so an access port hears only its VLAN and a trunk nothing untagged.
    /// Nothing for a NIC without VLANs.
    public static func port(_ tap: String, on layout: NetworkLayout, carrying vlan: VLANPort?) throws(JoistError) -> VLANPlan {
        guard let vlan else { return VLANPlan() }
        try vlan.validate()
        let port = try InterfaceName.validate(tap, role: "tap device")
        let bridge = try InterfaceName.validate(layout.bridge, role: "bridge")
        var steps: [Step] = [layout.ownsBridge ? .enableFiltering(bridge: bridge) : .requireFiltering(bridge: bridge)]
        let members: [Int]
        switch vlan {
        case .access(let id):
            steps.append(.addVLAN(port: port, id: id, untagged: true))
            members = [id]
        case .trunk(let ids):
            steps += ids.map { .addVLAN(port: port, id: $0, untagged: false) }
            members = ids
        }
        if !members.contains(defaultVLAN) { steps.append(.deleteVLAN(port: port, id: defaultVLAN)) }
        return VLANPlan(steps)
    }

    private static func validate(_ uplink: VLANUplink) throws(JoistError) {
        try InterfaceName.validate(uplink.parent, role: "parent interface")
        try InterfaceName.validate(uplink.name, role: "VLAN interface")
        try VLANPort.validate(uplink.id, what: "VLAN id")
    }
}
