import JoistCore

extension NFTablesRuleset {
    /// Refuses inputs whose rules would contradict each other: two networks with one name, bridge
    /// or overlapping subnets, forwards on networks Joist does not route, forwards to addresses no
    /// guest can hold, and two forwards claiming the same connections.
    static func validate(_ networks: [Network]) throws(JoistError) {
        var names: Set<String> = []
        var bridges: [String: String] = [:]
        for network in networks {
            let layout = network.layout
            guard names.insert(layout.name).inserted else { throw .invalidArgument("network \(layout.name) is given twice") }
            if layout.ownsBridge, let other = bridges.updateValue(layout.name, forKey: layout.bridge) {
                throw .invalidState("networks \(other) and \(layout.name) would share bridge \(layout.bridge); rename one of them")
            }
        }
        let hosted = networks.compactMap { network in network.layout.addressing.map { (name: network.layout.name, addressing: $0) } }
        for (index, one) in hosted.enumerated() {
            for other in hosted[..<index] where one.addressing.subnet.overlaps(other.addressing.subnet) {
                throw .invalidState(
                    "networks \(other.name) (\(other.addressing.subnet)) and \(one.name) (\(one.addressing.subnet)) overlap")
            }
        }
        var seen: [PortForward] = []
        for network in networks {
            for forward in network.forwards {
                try validate(forward, on: network.layout, hosted: hosted.map(\.addressing))
                if let clash = seen.first(where: forward.clashes) {
                    throw .invalidState("port forward \(forward) clashes with \(clash): both take \(forward.proto.rawValue) port \(forward.listenPort)")
                }
                seen.append(forward)
            }
        }
    }

    /// One forward: on a `nat` network, non-zero ports, a target a guest of the network may hold,
    /// and a listen address of the host's (not a guest's on any network, not multicast).
    static func validate(_ forward: PortForward, on layout: NetworkLayout, hosted: [NetworkAddressing]) throws(JoistError) {
        let prefix = "cannot forward \(forward) on network \(layout.name)"
        guard layout.isRouted, let addressing = layout.addressing else {
            throw .invalidArgument("\(prefix): port forwards need a nat network, and \(layout.name) is \(layout.kind.rawValue)")
        }
        guard forward.listenPort > 0, forward.targetPort > 0 else { throw .invalidArgument("\(prefix): ports must be from 1 to 65535") }
        guard addressing.isGuestAddress(forward.targetAddress) else {
            throw .invalidArgument("\(prefix): the target must be a guest address in \(addressing.subnet), not the gateway")
        }
        guard forward.listenAddress.octets[0] < 224 else {
            throw .invalidArgument("\(prefix): the listen address must be one of the host's, or 0.0.0.0 for all of them")
        }
        if let guests = hosted.first(where: { $0.isGuestAddress(forward.listenAddress) }) {
            throw .invalidArgument("\(prefix): \(forward.listenAddress) belongs to the guests of \(guests.subnet), not the host")
        }
    }
}
