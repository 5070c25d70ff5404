/// The stored and wire form: `{"mode": "user", "hostForwards": […]}` as before networks existed,
/// or `{"mode": "network", "hostForwards": [], "network": …}`, with `id`, `mac` and `ip` when set, and
/// `vlan` (an access port's id) or `tagged` (a trunk's ids). A NIC whose fields do not fit its mode,
/// or that has both `vlan` and `tagged`, does not decode.
extension NICSpec: Codable {
    private enum CodingKeys: String, CodingKey {
        case mode, id, hostForwards, network, mac, ip, vlan, tagged
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        mode = try container.decode(Mode.self, forKey: .mode)
        id = try container.decodeIfPresent(Int.self, forKey: .id)
        hostForwards = try container.decodeIfPresent([HostForward].self, forKey: .hostForwards) ?? []
        network = try container.decodeIfPresent(String.self, forKey: .network)
        mac = try container.decodeIfPresent(MACAddress.self, forKey: .mac)
        ip = try container.decodeIfPresent(IPv4Address.self, forKey: .ip)
        let access = try container.decodeIfPresent(Int.self, forKey: .vlan)
        let tagged = try container.decodeIfPresent([Int].self, forKey: .tagged)
        switch (access, tagged) {
        case (let id?, nil): vlan = .access(id)
        case (nil, let ids?): vlan = .trunk(ids)
        case (nil, nil): vlan = nil
        case (_?, _?):
            throw DecodingError.dataCorruptedError(
                forKey: .tagged, in: container, debugDescription: Self.accessAndTrunk.message)
        }
        do {
            try validate()
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .mode, in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(mode, forKey: .mode)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encode(hostForwards, forKey: .hostForwards)
        try container.encodeIfPresent(network, forKey: .network)
        try container.encodeIfPresent(mac, forKey: .mac)
        try container.encodeIfPresent(ip, forKey: .ip)
        switch vlan {
        case .access(let id): try container.encode(id, forKey: .vlan)
        case .trunk(let ids): try container.encode(ids, forKey: .tagged)
        case nil: break
        }
    }
}
