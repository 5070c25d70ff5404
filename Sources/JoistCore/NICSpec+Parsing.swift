/// The text form the CLI and the API use: `user[,hostfwd=…]…[,mac=…]` or
/// `network=NAME[,mac=52:54:00:xx:xx:xx][,ip=10.x.y.z][,vlan=ID | ,tagged=ID:ID:…]`.
extension NICSpec: CustomStringConvertible {
    /// What a user is shown when the text is not a NIC at all.
    static let forms =
        "user[,hostfwd=tcp:127.0.0.1:2222-:22] or network=NAME[,mac=52:54:00:12:34:56][,ip=10.1.2.10][,vlan=10 | ,tagged=10:20]"

    /// Parses the text form, refusing unknown options, repeated `mac=`, `ip=`, `vlan=` or `tagged=`
    /// (a port is an access port or a trunk, never both), malformed values and options the mode does
    /// not take.
    public init(parsing text: String) throws(JoistError) {
        let fields = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var nic: NICSpec
        if fields[0] == "user" {
            nic = NICSpec()
        } else if fields[0].hasPrefix("network=") {
            nic = NICSpec(network: String(fields[0].dropFirst("network=".count)))
        } else {
            throw .invalidArgument("invalid NIC '\(text)': expected \(Self.forms)")
        }
        for option in fields.dropFirst() {
            try nic.apply(option, in: text)
        }
        try nic.validate()
        self = nic
    }

    /// Sets what one `KEY=VALUE` option after the mode says.
    private mutating func apply(_ option: String, in text: String) throws(JoistError) {
        guard let eq = option.firstIndex(of: "="), eq != option.startIndex else {
            throw .invalidArgument("invalid NIC option '\(option)' in '\(text)': expected KEY=VALUE")
        }
        let key = String(option[..<eq])
        let value = String(option[option.index(after: eq)...])
        switch (key, mode) {
        case ("hostfwd", .user):
            hostForwards.append(try HostForward(parsing: value))
        case ("mac", _):
            guard mac == nil else { throw .invalidArgument("NIC option mac is given twice in '\(text)'") }
            mac = try MACAddress(parsing: value)
        case ("ip", .network):
            guard ip == nil else { throw .invalidArgument("NIC option ip is given twice in '\(text)'") }
            ip = try IPv4Address(parsing: value)
        case ("vlan", .network):
            guard vlan == nil else { throw Self.repeatedVLAN(in: text) }
            vlan = .access(try VLANPort.parseID(value, what: "NIC vlan"))
        case ("tagged", .network):
            guard vlan == nil else { throw Self.repeatedVLAN(in: text) }
            vlan = .trunk(try VLANPort.parseTrunk(value))
        case ("vlan", .user), ("tagged", .user):
            throw .invalidArgument(
                "\(key)=\(value) needs a NIC on a Joist network (network=NAME,\(key)=\(value)): user networking has no bridge to carry VLANs")
        case ("hostfwd", .network):
            throw Self.forwardOnNetworkNIC(network ?? "")
        case ("ip", .user):
            throw Self.addressOnUserNIC(value)
        default:
            throw .invalidArgument("unknown NIC option '\(key)' in '\(text)': \(mode.rawValue) NICs take \(Self.options(of: mode))")
        }
    }

    private static func options(of mode: Mode) -> String {
        switch mode {
        case .user: "hostfwd= and mac="
        case .network: "mac=, ip=, vlan= and tagged="
        }
    }

    /// `vlan=` twice, `tagged=` twice, or both.
    private static func repeatedVLAN(in text: String) -> JoistError {
        .invalidArgument("a NIC is an access port (vlan=ID) or a trunk (tagged=ID:ID:…), once: '\(text)' gives more than one")
    }

    /// A record with both `vlan` and `tagged`.
    static let accessAndTrunk = JoistError.invalidArgument(
        "a NIC is an access port (vlan) or a trunk (tagged), not both")

    /// The text form, inverse of `init(parsing:)`.
    public var description: String {
        var fields: [String]
        switch mode {
        case .user: fields = ["user"] + hostForwards.map { "hostfwd=\($0.description)" }
        case .network: fields = ["network=\(network ?? "")"]
        }
        if let mac { fields.append("mac=\(mac)") }
        if let ip { fields.append("ip=\(ip)") }
        if let vlan { fields.append(vlan.description) }
        return fields.joined(separator: ",")
    }
}
