import Foundation
import JoistCore
import Testing

@Suite("NICs: text form, stored form, validation")
struct NICSpecTests {
    static let mac = "52:54:00:0e:f0:e0"

    @Test("network NICs parse with an optional MAC and address", arguments: [
        ("network=web", NICSpec(network: "web")),
        ("network=web,mac=52:54:00:0E:F0:E0", NICSpec(network: "web", mac: try? MACAddress(parsing: mac))),
        ("network=web,ip=10.1.2.10", NICSpec(network: "web", ip: IPv4Address(10, 1, 2, 10))),
        ("network=web,ip=10.1.2.10,mac=52:54:00:0e:f0:e0", NICSpec(network: "web", mac: try? MACAddress(parsing: mac), ip: IPv4Address(10, 1, 2, 10))),
        ("user,mac=52:54:00:0e:f0:e0", NICSpec(mac: try? MACAddress(parsing: mac))),
    ])
    func parses(text: String, expected: NICSpec) throws {
        let nic = try NICSpec(parsing: text)
        #expect(nic == expected)
        #expect(nic.mode == (text.hasPrefix("user") ? .user : .network))
    }

    @Test("the text form round-trips, options in a fixed order", arguments: [
        "user", "user,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=udp::53-:53,mac=02:00:00:00:00:01", "network=web",
        "network=web,mac=52:54:00:0e:f0:e0", "network=lan-2,ip=192.168.7.20", "network=web,mac=52:54:00:0e:f0:e0,ip=10.1.2.10",
    ])
    func roundTrips(text: String) throws {
        let nic = try NICSpec(parsing: text)
        #expect(nic.description == text)
        #expect(try NICSpec(parsing: nic.description) == nic)
    }

    @Test("each mistake is refused with what to do instead", arguments: [
        ("bridge", "invalid NIC 'bridge': expected user[,hostfwd=tcp:127.0.0.1:2222-:22] or network=NAME[,mac=52:54:00:12:34:56][,ip=10.1.2.10][,vlan=10 | ,tagged=10:20]"),
        ("network=", "network name must not be empty"),
        ("network=web,prod", "invalid NIC option 'prod' in 'network=web,prod': expected KEY=VALUE"),
        ("network=../etc", "network name '../etc' may only contain ASCII letters, digits and '-'"),
        ("network=web,id=10", "unknown NIC option 'id' in 'network=web,id=10': network NICs take mac=, ip=, vlan= and tagged="),
        ("user,ip=10.0.2.20", "ip=10.0.2.20 needs a NIC on a Joist network (network=NAME,ip=10.0.2.20): user networking picks the guest's address itself"),
        ("network=web,hostfwd=tcp::80-:80", "hostfwd= is for user NICs: forward a host port to a NIC on network web with joist network forward add"),
        ("network=web,mac=01:00:5e:00:00:01", "MAC address 01:00:5e:00:00:01 is a multicast address: a NIC needs a unicast one (an even first byte)"),
        ("network=web,mac=00:00:00:00:00:00", "MAC address 00:00:00:00:00:00 is all zeros, which no NIC may carry"),
        ("network=web,mac=52:54:00:0e:f0", "invalid MAC address '52:54:00:0e:f0': expected six pairs of hex digits like 52:54:00:12:34:56"),
        ("network=web,ip=10.1.2", "invalid IPv4 address '10.1.2': expected four numbers from 0 to 255 like 10.1.2.3"),
        ("network=web,ip=10.1.2.3,ip=10.1.2.4", "NIC option ip is given twice in 'network=web,ip=10.1.2.3,ip=10.1.2.4'"),
        ("user,mac=02:00:00:00:00:01,mac=02:00:00:00:00:02", "NIC option mac is given twice in 'user,mac=02:00:00:00:00:01,mac=02:00:00:00:00:02'"),
        ("user,id=x", "unknown NIC option 'id' in 'user,id=x': user NICs take hostfwd= and mac="),
        ("network web", "invalid NIC 'network web': expected user[,hostfwd=tcp:127.0.0.1:2222-:22] or network=NAME[,mac=52:54:00:12:34:56][,ip=10.1.2.10][,vlan=10 | ,tagged=10:20]"),
    ])
    func refuses(text: String, message: String) {
        #expect(throws: JoistError.invalidArgument(message)) { try NICSpec(parsing: text) }
    }

    @Test("a network NIC is an access port (vlan=) or a trunk (tagged=, ids separated by ':')", arguments: [
        ("network=web,vlan=10", VLANPort.access(10)),
        ("network=web,vlan=1", VLANPort.access(1)),
        ("network=web,vlan=4094", VLANPort.access(4094)),
        ("network=web,tagged=10", VLANPort.trunk([10])),
        ("network=web,tagged=30:10:20", VLANPort.trunk([30, 10, 20])),
    ])
    func parsesVLANs(text: String, expected: VLANPort) throws {
        let nic = try NICSpec(parsing: text)
        #expect(nic.vlan == expected)
        #expect(nic.description == text)
    }

    @Test("VLAN mistakes are refused with what is wrong", arguments: [
        ("network=web,vlan=0", "NIC vlan 0 is not a VLAN id: 802.1Q ids go from 1 to 4094"),
        ("network=web,vlan=4095", "NIC vlan 4095 is not a VLAN id: 802.1Q ids go from 1 to 4094"),
        ("network=web,vlan=ten", "invalid NIC vlan 'ten': expected a VLAN id from 1 to 4094"),
        ("network=web,vlan=+10", "invalid NIC vlan '+10': expected a VLAN id from 1 to 4094"),
        ("network=web,vlan=", "invalid NIC vlan '': expected a VLAN id from 1 to 4094"),
        ("network=web,tagged=10:4095", "NIC tagged VLAN 4095 is not a VLAN id: 802.1Q ids go from 1 to 4094"),
        ("network=web,tagged=10::20", "invalid tagged VLAN list '10::20': expected VLAN ids separated by ':', e.g. tagged=10:20:30"),
        ("network=web,tagged=10;20", "invalid tagged VLAN list '10;20': expected VLAN ids separated by ':', e.g. tagged=10:20:30"),
        ("network=web,tagged=10:20:10", "NIC tagged VLAN 10 is listed twice"),
        ("network=web,vlan=10,tagged=20", "a NIC is an access port (vlan=ID) or a trunk (tagged=ID:ID:…), once: 'network=web,vlan=10,tagged=20' gives more than one"),
        ("network=web,tagged=20,vlan=10", "a NIC is an access port (vlan=ID) or a trunk (tagged=ID:ID:…), once: 'network=web,tagged=20,vlan=10' gives more than one"),
        ("network=web,vlan=10,vlan=20", "a NIC is an access port (vlan=ID) or a trunk (tagged=ID:ID:…), once: 'network=web,vlan=10,vlan=20' gives more than one"),
        ("user,vlan=10", "vlan=10 needs a NIC on a Joist network (network=NAME,vlan=10): user networking has no bridge to carry VLANs"),
        ("user,tagged=10:20", "tagged=10:20 needs a NIC on a Joist network (network=NAME,tagged=10:20): user networking has no bridge to carry VLANs"),
    ])
    func refusesVLANs(text: String, message: String) {
        #expect(throws: JoistError.invalidArgument(message)) { try NICSpec(parsing: text) }
    }

    @Test("a trunk carries at most 64 VLANs")
    func trunkLimit() throws {
        let ids = (1...65).map(String.init).joined(separator: ":")
        #expect(throws: JoistError.invalidArgument("a trunk NIC carries at most 64 VLANs (got 65)")) { try NICSpec(parsing: "network=web,tagged=\(ids)") }
        #expect(try NICSpec(parsing: "network=web,tagged=" + (1...64).map(String.init).joined(separator: ":")).vlan != nil)
    }

    @Test("VLANs are stored as vlan (an access port's id) or tagged (a trunk's ids), and decode back")
    func vlanRecords() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let access = NICSpec(network: "web", vlan: .access(10))
        let trunk = NICSpec(network: "web", vlan: .trunk([10, 20]))
        #expect(String(decoding: try encoder.encode(access), as: UTF8.self) == #"{"hostForwards":[],"mode":"network","network":"web","vlan":10}"#)
        #expect(String(decoding: try encoder.encode(trunk), as: UTF8.self) == #"{"hostForwards":[],"mode":"network","network":"web","tagged":[10,20]}"#)
        for nic in [access, trunk] {
            #expect(try JSONDecoder().decode(NICSpec.self, from: try encoder.encode(nic)) == nic)
        }
    }

    @Test("records with VLANs that cannot be honoured as written do not decode", arguments: [
        #"{"mode":"network","network":"web","vlan":10,"tagged":[20]}"#,
        #"{"mode":"network","network":"web","vlan":0}"#,
        #"{"mode":"network","network":"web","tagged":[]}"#,
        #"{"mode":"user","hostForwards":[],"vlan":10}"#,
    ])
    func refusesVLANRecords(json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(NICSpec.self, from: Data(json.utf8)) }
    }

    @Test("records written before networks existed decode unchanged, and re-encode the same")
    func legacyRecords() throws {
        let legacy = #"{"mode":"user","hostForwards":[{"proto":"tcp","hostAddress":"127.0.0.1","hostPort":2222,"guestAddress":"","guestPort":22}]}"#
        let nic = try JSONDecoder().decode(NICSpec.self, from: Data(legacy.utf8))
        #expect(nic == NICSpec(hostForwards: [HostForward(proto: .tcp, hostAddress: "127.0.0.1", hostPort: 2222, guestPort: 22)]))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(nic), as: UTF8.self) == #"{"hostForwards":[{"guestAddress":"","guestPort":22,"hostAddress":"127.0.0.1","hostPort":2222,"proto":"tcp"}],"mode":"user"}"#)
    }

    @Test("network NICs store their network, MAC and address, and decode back")
    func networkRecords() throws {
        let nic = NICSpec(network: "web", mac: try MACAddress(parsing: Self.mac), ip: IPv4Address(10, 1, 2, 10))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(nic), as: UTF8.self)
        #expect(json == #"{"hostForwards":[],"ip":"10.1.2.10","mac":"52:54:00:0e:f0:e0","mode":"network","network":"web"}"#)
        #expect(try JSONDecoder().decode(NICSpec.self, from: Data(json.utf8)) == nic)
        let bare = try JSONDecoder().decode(NICSpec.self, from: Data(#"{"mode":"network","network":"web"}"#.utf8))
        #expect(bare == NICSpec(network: "web"))
    }

    @Test("records whose fields do not fit their mode do not decode", arguments: [
        #"{"mode":"network","hostForwards":[]}"#,
        #"{"mode":"network","network":"a/b"}"#,
        #"{"mode":"user","hostForwards":[],"network":"web"}"#,
        #"{"mode":"user","hostForwards":[],"ip":"10.0.2.15"}"#,
        #"{"mode":"bridge","hostForwards":[]}"#,
        #"{"hostForwards":[]}"#,
    ])
    func refusesRecords(json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(NICSpec.self, from: Data(json.utf8)) }
    }

    @Test("records with a bad MAC or address do not decode, and say which", arguments: [
        (#"{"mode":"network","network":"web","mac":"ff:ff:ff:ff:ff:ff"}"#, "MAC address ff:ff:ff:ff:ff:ff is a multicast address"),
        (#"{"mode":"network","network":"web","ip":"10.1.2.300"}"#, "invalid IPv4 address '10.1.2.300'"),
    ])
    func refusesAddresses(json: String, message: String) {
        let error = #expect(throws: JoistError.self) { try JSONDecoder().decode(NICSpec.self, from: Data(json.utf8)) }
        #expect(error?.message.hasPrefix(message) == true)
    }

    @Test("an instance's NICs are validated, and two NICs never share a MAC")
    func instanceValidation() throws {
        let host = HostResources(cpus: 2, memory: .gibibytes(4))
        let mac = try MACAddress(parsing: Self.mac)
        func message(_ nics: [NICSpec]) -> String? {
            do {
                try makeSpec { $0.nics = nics }.validate(host: host, fileExists: { _ in true })
                return nil
            } catch {
                return error.message
            }
        }
        #expect(message([NICSpec(network: "web", mac: mac), NICSpec(network: "db"), NICSpec()]) == nil)
        #expect(message([NICSpec(network: "web", mac: mac), NICSpec(mac: mac)])
            == "MAC address 52:54:00:0e:f0:e0 is given to two NICs: each NIC needs its own")
        var broken = NICSpec(network: "web")
        broken.mode = .user
        #expect(message([broken]) == "a user NIC joins no network: write network=web instead of user to join web")
        #expect(message([NICSpec(network: "Web_1")]) == "network name 'Web_1' may only contain ASCII letters, digits and '-'")
    }

    @Test("NICs are numbered once: the lowest free number, in order; numbers given are kept")
    func numbering() {
        let fresh = NICSpec.numbered([NICSpec(), NICSpec(network: "web"), NICSpec(network: "db")])
        #expect(fresh.map(\.id) == [0, 1, 2])
        #expect(fresh.map(\.name) == ["eth0", "eth1", "eth2"])
        var kept = fresh
        kept.remove(at: 0)
        kept.append(NICSpec(network: "lab"))
        kept.append(NICSpec())
        #expect(NICSpec.numbered(kept).map(\.id) == [1, 2, 0, 3])
        #expect(NICSpec.numbered(NICSpec.numbered(kept)) == NICSpec.numbered(kept))
    }

    @Test("a NIC's name is eth and its number, and nothing else names one", arguments: [
        ("eth0", 0), ("eth12", 12), ("eth255", 255), ("eth", nil), ("eth01", nil), ("eth-1", nil), ("eth256", nil),
        ("ens3", nil), ("ETH0", nil), ("eth0 ", nil),
    ] as [(String, Int?)])
    func names(name: String, id: Int?) {
        #expect(NICSpec.id(named: name) == id)
    }

    @Test("the number is stored, records without one decode without one, and two NICs never share one")
    func storedNumber() throws {
        var nic = NICSpec(network: "web")
        nic.id = 3
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(nic), as: UTF8.self)
        #expect(json == #"{"hostForwards":[],"id":3,"mode":"network","network":"web"}"#)
        #expect(try JSONDecoder().decode(NICSpec.self, from: Data(json.utf8)) == nic)
        #expect(try JSONDecoder().decode(NICSpec.self, from: Data(#"{"mode":"user"}"#.utf8)).id == nil)
        let outOfRange = #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(NICSpec.self, from: Data(#"{"mode":"user","id":256}"#.utf8))
        }
        #expect("\(String(describing: outOfRange))".contains("NIC number 256 is out of range: NICs are eth0 to eth255"))
        var twin = NICSpec()
        twin.id = 3
        let error = #expect(throws: JoistError.self) {
            try makeSpec { $0.nics = [nic, twin] }.validate(host: HostResources(cpus: 2, memory: .gibibytes(4)), fileExists: { _ in true })
        }
        #expect(error?.message == "two NICs are named eth3: each NIC needs its own number")
    }
}
