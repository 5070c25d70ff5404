import Foundation
import JoistCore
import Networking
import Testing

@Suite("Link names and stable MAC addresses")
struct LinkNamesTests {
    let nic = NICIdentity(project: "default", instance: "web-1", index: 0)

    @Test("bridge and tap names fit IFNAMSIZ, carry their prefix and are valid interface names")
    func fit() throws {
        let longest = String(repeating: "n", count: ResourceName.maxLength)
        let names = [
            LinkNames.bridge(network: "web"), LinkNames.bridge(network: longest),
            LinkNames.tap(for: nic), LinkNames.tap(for: NICIdentity(project: longest, instance: longest, index: 31)),
        ]
        for name in names {
            #expect(name.utf8.count == 15)
            #expect(try InterfaceName.validate(name) == name)
            #expect(LinkNames.isJoistLink(name))
        }
        #expect(names[0].hasPrefix("jb-") && names[2].hasPrefix("jt-"))
        #expect(!LinkNames.isJoistLink("eth0") && !LinkNames.isJoistLink("br0"))
    }

    @Test("names are a fixed function of their key (FNV-1a, computed independently), zero-padded")
    func pinned() {
        #expect(StableHash.fnv1a64("web") == 0x5ea0_e119_4872_1ef1)
        #expect(LinkNames.bridge(network: "web") == "jb-5ea0e1194872")
        #expect(LinkNames.tap(for: nic) == "jt-0ef0e05d29bb")
        #expect(MACAddress.stable(for: nic).description == "52:54:00:0e:f0:e0")
    }

    @Test("different networks and NICs get different names; the same one gets the same name")
    func distinct() {
        #expect(LinkNames.bridge(network: "web") == LinkNames.bridge(network: "web"))
        #expect(LinkNames.bridge(network: "web") != LinkNames.bridge(network: "Web"))
        let taps = Set((0..<4).map { LinkNames.tap(for: NICIdentity(project: "default", instance: "web-1", index: $0)) }
            + [LinkNames.tap(for: NICIdentity(project: "prod", instance: "web-1", index: 0))])
        #expect(taps.count == 5)
    }

    @Test("a NIC's default MAC is in QEMU's 52:54:00 block, unicast, stable, and shares its hash with the tap name")
    func stableMAC() throws {
        let mac = MACAddress.stable(for: nic)
        #expect(mac.description.hasPrefix("52:54:00:"))
        #expect(mac == MACAddress.stable(for: nic))
        #expect(mac != MACAddress.stable(for: NICIdentity(project: "default", instance: "web-1", index: 1)))
        let tail = mac.description.split(separator: ":").dropFirst(3).joined()
        #expect(LinkNames.tap(for: nic).dropFirst(3).hasPrefix(tail))
        #expect(try MACAddress(parsing: mac.description) == mac)
    }

    @Test("a MAC already on the network is avoided, and the replacement is stable too")
    func avoidsTaken() {
        let first = MACAddress.stable(for: nic)
        let second = MACAddress.stable(for: nic, avoiding: [first])
        #expect(second != first && second.description.hasPrefix("52:54:00:"))
        #expect(MACAddress.stable(for: nic, avoiding: [first]) == second)
        let third = MACAddress.stable(for: nic, avoiding: [first, second])
        #expect(third != first && third != second)
    }
}
