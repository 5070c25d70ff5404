import Foundation
import JoistCore

/// One link as `ip -j -d addr show` prints it: the parts Joist decides on (its kind, whether it is
/// up, its bridge, its IPv4 addresses). Everything else in the JSON is ignored.
struct IPLink: Decodable, Sendable, Equatable {
    /// One entry of `addr_info`.
    struct Address: Decodable, Sendable, Equatable {
        var family: String
        var local: String?
        var prefixlen: Int?
    }

    /// `linkinfo`: the driver kind (`bridge`, `tun`, `veth`, `vlan`; absent for physical NICs),
    /// for `tun` links whether they are taps, for bridges whether they filter by VLAN, and for
    /// `vlan` links their id.
    struct Info: Decodable, Sendable, Equatable {
        var kind: String?
        var tunType: String?
        var vlanFiltering: Int?
        var vlanID: Int?

        private enum CodingKeys: String, CodingKey {
            case kind = "info_kind", data = "info_data"
        }

        private enum DataKeys: String, CodingKey { case type, vlanFiltering = "vlan_filtering", id }

        init(kind: String?, tunType: String? = nil, vlanFiltering: Int? = nil, vlanID: Int? = nil) {
            self.kind = kind
            self.tunType = tunType
            self.vlanFiltering = vlanFiltering
            self.vlanID = vlanID
        }

        /// `info_data` differs by kind (a bridge's holds dozens of numbers), so only the few
        /// fields above are read from it, each when it has the expected type, and anything else
        /// there is no error.
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            kind = try container.decodeIfPresent(String.self, forKey: .kind)
            let data = try? container.nestedContainer(keyedBy: DataKeys.self, forKey: .data)
            tunType = (try? data?.decodeIfPresent(String.self, forKey: .type)) ?? nil
            vlanFiltering = (try? data?.decodeIfPresent(Int.self, forKey: .vlanFiltering)) ?? nil
            vlanID = (try? data?.decodeIfPresent(Int.self, forKey: .id)) ?? nil
        }
    }

    var name: String
    /// The link's MAC address (`address` in the JSON).
    var mac: String?
    var flags: [String]
    var master: String?
    var info: Info?
    var addresses: [Address]

    private enum CodingKeys: String, CodingKey {
        case name = "ifname", mac = "address", flags, master, info = "linkinfo", addresses = "addr_info"
    }

    init(name: String, mac: String? = nil, flags: [String] = [], master: String? = nil, info: Info? = nil, addresses: [Address] = []) {
        self.name = name
        self.mac = mac
        self.flags = flags
        self.master = master
        self.info = info
        self.addresses = addresses
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        mac = try container.decodeIfPresent(String.self, forKey: .mac)
        flags = try container.decodeIfPresent([String].self, forKey: .flags) ?? []
        master = try container.decodeIfPresent(String.self, forKey: .master)
        info = try container.decodeIfPresent(Info.self, forKey: .info)
        addresses = try container.decodeIfPresent([Address].self, forKey: .addresses) ?? []
    }

    /// Administratively up (`ip link set up`), whether or not it has a carrier.
    var isUp: Bool { flags.contains("UP") }

    var kind: String? { info?.kind }

    var isBridge: Bool { kind == "bridge" }

    var isTap: Bool { kind == "tun" && info?.tunType == "tap" }

    /// A bridge with `vlan_filtering 1`.
    var filtersVLANs: Bool { isBridge && info?.vlanFiltering == 1 }

    /// The IPv4 addresses in `ip addr` form, `10.1.2.1/24`.
    var ipv4Addresses: [String] {
        addresses.compactMap { address in
            guard address.family == "inet", let local = address.local, let prefix = address.prefixlen else { return nil }
            return "\(local)/\(prefix)"
        }
    }

    /// The links of an `ip -j` listing; throws a `hostFailure` naming `what` when it is not one.
    static func decodeList(_ json: String, what: String) throws(JoistError) -> [IPLink] {
        // `ip -j` prints nothing at all (not `[]`) for some empty listings.
        guard !json.allSatisfy(\.isWhitespace) else { return [] }
        do {
            return try JSONDecoder().decode([IPLink].self, from: Data(json.utf8))
        } catch {
            throw .hostFailure("ip printed a listing of \(what) that Joist cannot read: \(error)")
        }
    }
}
