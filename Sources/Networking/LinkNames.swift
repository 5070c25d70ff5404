import JoistCore

/// Names of the Linux links Joist creates: `jb-<hash>` bridges, `jt-<hash>` tap devices and
/// `jv-<hash>` VLAN sub-interfaces.
///
/// Interface names are at most 15 bytes (`IFNAMSIZ`), too short for `joist-web-prod-net`, so they
/// carry 12 hex digits of a stable hash (`StableHash.hex48`) of the network's name or the NIC's
/// identity: the same on every start and after a daemon restart, so Joist finds and removes its
/// own links without recording their names. The fixed prefixes tell Joist's links from the host's.
public enum LinkNames {
    public static let bridgePrefix = "jb-"
    public static let tapPrefix = "jt-"
    public static let vlanPrefix = "jv-"

    /// The bridge of a `nat` or `isolated` network.
    public static func bridge(network: String) -> String {
        bridgePrefix + StableHash.hex48(network)
    }

    /// The VLAN sub-interface a `bridge` network with a `vlan` makes on its parent. The kernel's own
    /// `eth0.10` form would not fit 15 bytes for long parent names.
    public static func vlanLink(network: String) -> String {
        vlanPrefix + StableHash.hex48(network)
    }

    /// The tap device of one NIC. Its hex digits are also the last three bytes of the NIC's default
    /// MAC address (`MACAddress.stable(for:)`), which makes the pair easy to match by eye.
    public static func tap(for nic: NICIdentity) -> String {
        tapPrefix + StableHash.hex48(nic.description)
    }

    /// Whether `name` has the form of a link Joist creates.
    public static func isJoistLink(_ name: String) -> Bool {
        name.hasPrefix(bridgePrefix) || name.hasPrefix(tapPrefix) || name.hasPrefix(vlanPrefix)
    }
}
