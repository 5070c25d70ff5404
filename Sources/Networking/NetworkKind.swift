/// What a network is on the host.
public enum NetworkKind: String, Codable, Sendable, CaseIterable {
    /// A bridge of Joist's own with an address on the host, DHCP and DNS from dnsmasq, and
    /// masquerading to the host's other interfaces: "behaves like a home router".
    case nat
    /// A bridge of Joist's own with an address on the host, DHCP and DNS, and no way out: guests
    /// reach each other and the host, nothing beyond.
    case isolated
    /// An existing host interface or bridge (the LAN) that instances join as first-class machines;
    /// the LAN's own router hands out addresses.
    case bridge

    /// Whether Joist creates the bridge, gives it the gateway address and runs dnsmasq on it.
    public var isHosted: Bool { self != .bridge }
}
