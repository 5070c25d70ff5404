import JoistCore
public import Networking

extension NetworkManager {
    /// What the host kernel supports for networks: probed through the driver the first time it is
    /// needed, then kept for the daemon's life (a kernel does not gain features while it runs).
    public func hostFeatures() async -> HostNetworkFeatures {
        if let features { return features }
        let probed = await driver.probeFeatures()
        for (feature, detail) in probed.missing.sorted(by: { $0.key < $1.key }) {
            logger.notice("this host's kernel has no \(feature.kernelFeature) (\(detail)); networks and NICs that need it are refused")
        }
        // Another caller may have probed meanwhile; both found the same.
        features = probed
        return probed
    }

    /// Refuses, with the missing kernel feature named, network NICs whose VLANs this host cannot
    /// honour; checked before anything about an instance changes. `instance` names it in the message.
    public func requireFeatures(of nics: [NICSpec], instance: String) async throws {
        let features = await hostFeatures()
        for (index, nic) in nics.enumerated() {
            guard let vlan = nic.vlan else { continue }
            try features.require(HostNetworkFeatures.needed(by: nic), for: "NIC \(nic.name ?? "\(index)") of instance \(instance) (\(vlan))")
        }
    }

    /// Refuses a network whose `vlan` this host cannot honour, or whose VLAN of its parent another
    /// network has already (the kernel allows one sub-interface per parent and id).
    func requireFeatures(of config: NetworkConfig) async throws {
        guard let vlan = config.vlan else { return }
        try await hostFeatures().require(HostNetworkFeatures.needed(by: config), for: "network \(config.name)'s vlan \(vlan)")
        let sameVLAN = networks.values.map(\.config).filter { $0.parent == config.parent && $0.vlan == vlan }
        if let other = sameVLAN.map(\.name).sorted().first {
            throw JoistError.alreadyExists(
                "network \(other) already sits on VLAN \(vlan) of \(config.parent ?? "its parent"): connect instances to \(other)")
        }
    }

    /// Applies `plan` after checking that the host has what it needs; an empty plan changes nothing.
    func apply(_ plan: VLANPlan, for what: String) async throws {
        guard !plan.isEmpty else { return }
        try await hostFeatures().require(plan.features, for: what)
        try await driver.applyVLANPlan(plan)
    }

    /// Makes the tap of NIC `identity` exist on its network's bridge, carrying the NIC's VLANs,
    /// before QEMU opens it. The tap stays through stops and restarts (making it again changes
    /// nothing) until `removeTap`. A NIC whose VLANs the host kernel or the bridge cannot honour is
    /// refused before its tap is made, never joined untagged.
    public func ensureTap(for identity: NICIdentity, nic: NICSpec) async throws {
        guard let network = nic.network else { return }
        let layout = try entry(network).layout
        let tap = LinkNames.tap(for: identity)
        let plan = try VLANPlan.port(tap, on: layout, carrying: nic.vlan).bridgeFirst
        let what = "NIC \(identity.index) of instance \(identity.instance)" + (nic.vlan.map { " (\($0))" } ?? "")
        try await apply(plan.bridge, for: what)
        try await driver.ensureTap(tap, bridge: layout.bridge)
        try await apply(plan.rest, for: what)
    }
}
