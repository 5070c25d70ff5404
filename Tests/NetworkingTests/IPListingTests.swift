import Foundation
import JoistCore
import Testing

@testable import Networking

/// Reading `ip -j` output, on listings captured from iproute2 6.1.
@Suite("ip -j listings")
struct IPListingTests {
    static let routes = """
        [{"dst":"default","gateway":"10.77.0.2","dev":"up0","flags":[]},\
        {"dst":"10.77.0.0/24","dev":"up0","protocol":"kernel","scope":"link","prefsrc":"10.77.0.1","flags":[]},\
        {"type":"blackhole","dst":"10.99.0.0/24","flags":[]},\
        {"type":"throw","dst":"10.55.0.0/16","flags":[]},\
        {"type":"local","dst":"10.77.0.1","dev":"up0","table":"local","protocol":"kernel","scope":"host","prefsrc":"10.77.0.1","flags":[]},\
        {"type":"broadcast","dst":"10.77.0.255","dev":"up0","table":"local","protocol":"kernel","scope":"link","prefsrc":"10.77.0.1","flags":[]},\
        {"type":"local","dst":"127.0.0.0/8","dev":"lo","table":"local","protocol":"kernel","scope":"host","prefsrc":"127.0.0.1","flags":[]},\
        {"dst":"10.77.0.0/24","dev":"up0","table":"7","flags":[]},\
        {"type":"unreachable","dst":"0.0.0.0/0","table":"8","flags":[]}]
        """

    @Test("routes: prefixes, own addresses and blackholes once each; no default, broadcast or throw routes")
    func claimedSubnets() throws {
        let subnets = try IPRoute.claimedSubnets(inListing: Self.routes).map(\.description)
        #expect(subnets == ["10.77.0.0/24", "10.77.0.1/32", "10.99.0.0/24", "127.0.0.0/8"])
        #expect(try IPRoute.claimedSubnets(inListing: "").isEmpty)
        #expect(throws: JoistError.self) { try IPRoute.claimedSubnets(inListing: "[{\"dev\":\"x\"}]") }
    }

    @Test("links: kind, tap type, master, MAC and IPv4 addresses; a bridge's numeric info_data is no error")
    func links() throws {
        let json = """
            [{"ifindex":2,"ifname":"jb-test","flags":["BROADCAST","MULTICAST","UP"],"address":"02:aa:bb:cc:dd:ee",\
            "linkinfo":{"info_kind":"bridge","info_data":{"forward_delay":1500,"stp_state":0,"root_id":"8000.ee"}},\
            "addr_info":[{"family":"inet","local":"10.9.0.1","prefixlen":24},{"family":"inet6","local":"fe80::1","prefixlen":64}]},\
            {"ifindex":3,"ifname":"jt-x","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP"],"master":"jb-test",\
            "linkinfo":{"info_kind":"tun","info_data":{"type":"tap","pi":false,"vnet_hdr":false}},"addr_info":[]},\
            {"ifindex":4,"ifname":"eth0","flags":["BROADCAST"]}]
            """
        let links = try IPLink.decodeList(json, what: "links")
        try #require(links.count == 3)
        #expect(links[0].isBridge && links[0].isUp && !links[0].isTap)
        #expect(links[0].mac == "02:aa:bb:cc:dd:ee" && links[0].ipv4Addresses == ["10.9.0.1/24"])
        #expect(links[1].isTap && links[1].master == "jb-test" && links[1].ipv4Addresses.isEmpty)
        #expect(links[2].kind == nil && !links[2].isUp && links[2].addresses.isEmpty)
        #expect(try IPLink.decodeList("\n", what: "links").isEmpty)
        #expect(throws: JoistError.self) { try IPLink.decodeList("Device not found", what: "links") }
    }

    @Test("a network's bridge MAC is locally administered, unicast and fixed by its name")
    func bridgeMAC() throws {
        let web = try LinuxHostNetwork.bridgeMAC(network: "web")
        #expect(web.bytes[0] == 0x02)
        #expect(try LinuxHostNetwork.bridgeMAC(network: "web") == web)
        #expect(try LinuxHostNetwork.bridgeMAC(network: "lab") != web)
    }
}
