/// How a NIC's port on its network's bridge carries 802.1Q VLANs.
///
/// An access port is an untagged member of one VLAN (`vlan=10`): the guest sends and receives plain
/// frames and the bridge keeps them inside VLAN 10. A trunk (`tagged=10:20:30`) carries frames tagged
/// with each listed VLAN and nothing untagged: the guest runs its own VLAN interfaces, as a firewall
/// or router VM does. A port is one or the other.
public enum VLANPort: Sendable, Equatable, CustomStringConvertible {
    case access(Int)
    case trunk([Int])

    /// The VLAN ids 802.1Q leaves for use: 0 means "no VLAN" and 4095 is reserved.
    public static let ids: ClosedRange<Int> = 1...4094

    /// The most VLANs one trunk carries; each is one bridge entry to apply.
    public static let maxTrunkVLANs = 64

    /// The separator of a trunk's VLANs in the text form: a NIC's options are already separated by
    /// commas, so the list uses colons (`tagged=10:20:30`).
    public static let listSeparator: Character = ":"

    /// Checks that `id` is a usable VLAN id; `what` names it in the message (`NIC vlan`, `network lan's vlan`).
    public static func validate(_ id: Int, what: String) throws(JoistError) {
        guard ids.contains(id) else {
            throw .invalidArgument("\(what) \(id) is not a VLAN id: 802.1Q ids go from \(ids.lowerBound) to \(ids.upperBound)")
        }
    }

    /// Checks every id and, for a trunk, that it lists at least one VLAN, none twice and at most
    /// `maxTrunkVLANs`.
    public func validate() throws(JoistError) {
        switch self {
        case .access(let id):
            try Self.validate(id, what: "NIC vlan")
        case .trunk(let ids):
            guard !ids.isEmpty else { throw .invalidArgument("a trunk NIC needs at least one VLAN: tagged=10:20") }
            guard ids.count <= Self.maxTrunkVLANs else {
                throw .invalidArgument("a trunk NIC carries at most \(Self.maxTrunkVLANs) VLANs (got \(ids.count))")
            }
            var seen: Set<Int> = []
            for id in ids {
                try Self.validate(id, what: "NIC tagged VLAN")
                guard seen.insert(id).inserted else { throw .invalidArgument("NIC tagged VLAN \(id) is listed twice") }
            }
        }
    }

    /// Parses a trunk's list, `10:20:30`.
    public static func parseTrunk(_ text: String) throws(JoistError) -> [Int] {
        var ids: [Int] = []
        for part in text.split(separator: listSeparator, omittingEmptySubsequences: false) {
            guard Self.isNumber(part), let id = Int(part) else {
                throw .invalidArgument(
                    "invalid tagged VLAN list '\(text)': expected VLAN ids separated by '\(listSeparator)', e.g. tagged=10:20:30")
            }
            ids.append(id)
        }
        return ids
    }

    /// Parses one VLAN id, `10`.
    public static func parseID(_ text: String, what: String) throws(JoistError) -> Int {
        guard isNumber(text[...]), let id = Int(text) else {
            throw .invalidArgument("invalid \(what) '\(text)': expected a VLAN id from \(ids.lowerBound) to \(ids.upperBound)")
        }
        return id
    }

    /// One to four ASCII digits: no sign, no spaces, nothing `Int` would also accept.
    private static func isNumber(_ text: Substring) -> Bool {
        (1...4).contains(text.count) && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// `vlan=10` or `tagged=10:20:30`, as in a NIC's text form.
    public var description: String {
        switch self {
        case .access(let id): "vlan=\(id)"
        case .trunk(let ids): "tagged=" + ids.map(String.init).joined(separator: String(Self.listSeparator))
        }
    }
}
