public import JoistCore

/// Picks a free `10.X.Y.0/24` for a network created without `--subnet`.
///
/// The walk starts at a hash of the network's name and steps through all 65,536 candidates in
/// order, wrapping around, so the same name on the same host gets the same subnet (a deleted and
/// re-created network keeps its addresses) while different names spread over the block instead
/// of all contending for `10.0.0.0/24`.
public struct SubnetChooser: Sendable {
    /// Prefixes already in use: the host's routes and every other network's subnet. Default
    /// routes (`/0`) are ignored: they say where everything else goes, not that an address is taken.
    public let taken: [IPv4Subnet]

    public init(taken: [IPv4Subnet]) {
        self.taken = taken.filter { $0.prefixLength > 0 }
    }

    /// How many candidates there are: every `10.X.Y.0/24`.
    static let candidateCount = 1 << 16

    /// The first candidate for `network` that overlaps nothing taken, or nil when every one does.
    public func choose(for network: String) -> IPv4Subnet? {
        let start = Int(StableHash.fnv1a64(network) % UInt64(Self.candidateCount))
        for step in 0..<Self.candidateCount {
            let candidate = Self.candidate((start + step) % Self.candidateCount)
            if !taken.contains(where: { $0.overlaps(candidate) }) { return candidate }
        }
        return nil
    }

    /// `choose(for:)`, or an error a user can act on when nothing is free.
    public func subnet(for network: String) throws(JoistError) -> IPv4Subnet {
        guard let subnet = choose(for: network) else {
            throw .invalidState(
                "cannot choose a subnet for network \(network): every 10.X.Y.0/24 overlaps a host route or another network; give one with --subnet")
        }
        return subnet
    }

    /// The config with its subnet settled: a hosted network without one gets `subnet(for:)`; a
    /// given one must overlap nothing taken (the caller leaves the network's own routes out of
    /// `taken`). Bridge networks pass through unchanged.
    public func complete(_ config: NetworkConfig) throws(JoistError) -> NetworkConfig {
        guard config.kind.isHosted else { return config }
        var config = config
        if let subnet = config.subnet {
            if let clash = taken.first(where: { $0.overlaps(subnet) }) {
                throw .invalidState(
                    "subnet \(subnet) of network \(config.name) overlaps \(clash), which a host route or another network uses")
            }
        } else {
            config.subnet = try subnet(for: config.name)
        }
        return config
    }

    /// Candidate `index`: `10.(index / 256).(index % 256).0/24`.
    static func candidate(_ index: Int) -> IPv4Subnet {
        IPv4Subnet(literal: IPv4Address(0x0A00_0000 | UInt32(index) << 8), prefixLength: 24)
    }
}
