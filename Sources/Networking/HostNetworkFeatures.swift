public import JoistCore

/// A kernel feature some network configurations need and not every host has.
public enum HostNetworkFeature: String, Codable, Sendable, CaseIterable, Comparable {
    /// 802.1Q VLAN interfaces (`ip link add … type vlan`): a `bridge` network on a VLAN of its parent.
    case vlanInterfaces
    /// VLAN filtering on Linux bridges (`vlan_filtering 1`, `bridge vlan`): NICs with `vlan=` or
    /// `tagged=`.
    case bridgeVLANFiltering

    /// What a user is told the host lacks, with the kernel option that provides it.
    public var kernelFeature: String {
        switch self {
        case .vlanInterfaces: "802.1Q VLAN interfaces (CONFIG_VLAN_8021Q, module 8021q)"
        case .bridgeVLANFiltering: "bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)"
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// What the host kernel can do for networks, as `HostNetworkDriver.probeFeatures()` found by trying.
///
/// Joist refuses a configuration that needs a missing feature, before anything changes, rather
/// than carry it out without it: a NIC whose VLAN tag were dropped would silently join every
/// untagged guest on its network.
public struct HostNetworkFeatures: Sendable, Equatable, Codable {
    /// Each missing feature with what trying it answered (`Error: Unknown device type.`).
    public var missing: [HostNetworkFeature: String]

    public init(missing: [HostNetworkFeature: String] = [:]) {
        self.missing = missing
    }

    /// A host with every feature.
    public static let all = HostNetworkFeatures()

    public func supports(_ feature: HostNetworkFeature) -> Bool { missing[feature] == nil }

    /// Throws `unsupported`, naming the first missing feature among `needed` and what cannot be
    /// honoured without it (`NIC vlan=10 of instance web`), unless the host has them all.
    public func require(_ needed: Set<HostNetworkFeature>, for what: String) throws(JoistError) {
        for feature in needed.sorted() {
            guard let detail = missing[feature] else { continue }
            throw JoistError(
                .unsupported,
                "this host's kernel has no \(feature.kernelFeature); \(what) cannot be honoured "
                    + "(trying it answered: \(detail)). Use a host whose kernel has it, or leave the VLAN out")
        }
    }

    /// The features a NIC needs: any `vlan=` or `tagged=` needs bridge VLAN filtering.
    public static func needed(by nic: NICSpec) -> Set<HostNetworkFeature> {
        nic.vlan == nil ? [] : [.bridgeVLANFiltering]
    }

    /// The features a network needs: a `vlan` needs 802.1Q interfaces.
    public static func needed(by config: NetworkConfig) -> Set<HostNetworkFeature> {
        config.vlan == nil ? [] : [.vlanInterfaces]
    }

    // The wire form, `{"vlanInterfaces": false, "bridgeVLANFiltering": true}`, leaves the details
    // (host command output) to the daemon's log.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: HostNetworkFeature.CodingKey.self)
        var missing: [HostNetworkFeature: String] = [:]
        for feature in HostNetworkFeature.allCases where try container.decodeIfPresent(Bool.self, forKey: .init(feature)) == false {
            missing[feature] = "missing"
        }
        self.init(missing: missing)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: HostNetworkFeature.CodingKey.self)
        for feature in HostNetworkFeature.allCases { try container.encode(supports(feature), forKey: .init(feature)) }
    }
}

extension HostNetworkFeature {
    /// A feature's name as a JSON key.
    struct CodingKey: Swift.CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ feature: HostNetworkFeature) { stringValue = feature.rawValue }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
