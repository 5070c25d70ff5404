import JoistCore
import Networking
import Testing

@Suite("Stable MACs for new NICs")
struct StableMACsTests {
    static func identity(_ index: Int) -> NICIdentity { NICIdentity(project: "default", instance: "web-1", index: index) }

    @Test("network NICs without a MAC get their identity's stable one; user NICs and given MACs are kept")
    func fills() throws {
        let given = try MACAddress(parsing: "02:00:00:00:00:07")
        let nics = [NICSpec(network: "web"), NICSpec(), NICSpec(network: "db", mac: given), NICSpec(network: "db", ip: IPv4Address(10, 1, 3, 9))]
        let filled = StableMACs.assign(to: nics, project: "default", instance: "web-1")
        #expect(filled[0] == NICSpec(network: "web", mac: MACAddress.stable(for: Self.identity(0))))
        #expect(filled[1] == NICSpec())
        #expect(filled[2] == nics[2])
        #expect(filled[3] == NICSpec(network: "db", mac: MACAddress.stable(for: Self.identity(3)), ip: IPv4Address(10, 1, 3, 9)))
        #expect(filled[0].mac?.description == "52:54:00:0e:f0:e0")
    }

    @Test("assigning again changes nothing: stored MACs stay, even where the default would now differ")
    func idempotent() throws {
        let once = StableMACs.assign(to: [NICSpec(network: "web"), NICSpec(network: "web")], project: "default", instance: "web-1")
        #expect(StableMACs.assign(to: once, project: "default", instance: "web-1") == once)
        let crowded = Set(once.compactMap(\.mac))
        #expect(StableMACs.assign(to: once, project: "default", instance: "web-1", inUse: ["web": crowded]) == once)
    }

    @Test("MACs in use on the same network are avoided, on other networks they are not")
    func avoidsInUse() throws {
        let default0 = MACAddress.stable(for: Self.identity(0))
        let onWeb = StableMACs.assign(to: [NICSpec(network: "web")], project: "default", instance: "web-1", inUse: ["web": [default0]])
        #expect(onWeb[0].mac == MACAddress.stable(for: Self.identity(0), avoiding: [default0]))
        #expect(onWeb[0].mac != default0)
        let onDB = StableMACs.assign(to: [NICSpec(network: "db")], project: "default", instance: "web-1", inUse: ["web": [default0]])
        #expect(onDB[0].mac == default0)
    }

    @Test("a new NIC avoids the MACs of the instance's other NICs on its network, given or assigned")
    func avoidsOwn() throws {
        let default1 = MACAddress.stable(for: Self.identity(1))
        let nics = [NICSpec(network: "web"), NICSpec(network: "web", mac: default1), NICSpec(network: "web")]
        let filled = StableMACs.assign(to: nics, project: "default", instance: "web-1")
        let macs = filled.compactMap(\.mac)
        #expect(macs.count == 3 && Set(macs).count == 3)
        #expect(filled[1].mac == default1)
        // Index 2's default is free, so it keeps it.
        #expect(filled[2].mac == MACAddress.stable(for: Self.identity(2)))
    }

    @Test("a NIC added later gets the MAC of its index, the others stay")
    func addedLater() throws {
        let created = StableMACs.assign(to: [NICSpec(network: "web")], project: "prod", instance: "db-1")
        let added = StableMACs.assign(to: created + [NICSpec(network: "web")], project: "prod", instance: "db-1")
        #expect(added[0] == created[0])
        #expect(added[1].mac == MACAddress.stable(for: NICIdentity(project: "prod", instance: "db-1", index: 1)))
    }
}
