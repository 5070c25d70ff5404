import Foundation
import JoistAPI
import JoistCore
import Networking

/// Networks on the wire: with every optional set, with none, and every enum case.
enum NetworkSamples {
    static let subnet = try! IPv4Subnet(parsing: "10.20.30.0/24")
    static let natConfig = NetworkConfig(name: "web", kind: .nat, subnet: subnet, description: "front ends")
    static let bridgeConfig = NetworkConfig(name: "lan", kind: .bridge, parent: "br0")
    static let range = NetworkAddressRange(first: try! IPv4Address(parsing: "10.20.30.2"), last: try! IPv4Address(parsing: "10.20.30.254"))

    static let natInfo = NetworkInfo(
        config: natConfig, bridge: "jb-0123456789ab", gateway: try! IPv4Address(parsing: "10.20.30.1"), dhcpRange: range,
        usedBy: [NetworkUser(project: "default", name: "web-1"), NetworkUser(project: "team-a", name: "db")])
    static let bridgeInfo = NetworkInfo(config: bridgeConfig, bridge: "br0")

    static let all: [WireSample] = [
        WireSample("nat config", "NetworkConfig", natConfig),
        WireSample("bridge config", "NetworkConfig", bridgeConfig),
        WireSample("nat network", "NetworkInfo", natInfo),
        WireSample("bridge network", "NetworkInfo", bridgeInfo),
        WireSample("address range", "NetworkAddressRange", range),
        WireSample("network user", "NetworkUser", NetworkUser(project: "default", name: "web-1")),
        WireSample(
            "full network create", "NetworkCreate",
            NetworkCreate(name: "web", type: .isolated, subnet: subnet, description: "lab machines")),
        WireSample("bridge network create", "NetworkCreate", NetworkCreate(name: "lan", type: .bridge, parent: "eth0")),
        WireSample("network vlan", "NetworkVLAN", 10),
        WireSample("vlan network create", "NetworkCreate", NetworkCreate(name: "lan10", type: .bridge, parent: "eth0", vlan: 10)),
        WireSample("vlan network", "NetworkInfo", NetworkInfo(
            config: NetworkConfig(name: "lan10", kind: .bridge, parent: "eth0", vlan: 4094), bridge: "jb-0123456789ab")),
        WireSample("minimal network create", "NetworkCreate", NetworkCreate(name: "web", type: .nat)),
        WireSample("network page", "NetworkInfoPage", Page(items: [bridgeInfo, natInfo], next: "web")),
        WireSample("last network page", "NetworkInfoPage", Page<NetworkInfo>(items: [])),
        WireSample("subnet", "IPv4Subnet", try! IPv4Subnet(parsing: "192.168.0.0/16")),
        WireSample("address", "IPv4Address", try! IPv4Address(parsing: "255.255.255.255")),
        WireSample("zero address", "IPv4Address", IPv4Address.any),
    ] + NetworkKind.allCases.map { WireSample("\($0)", "NetworkKind", $0) }
        + NetworkKind.allCases.map { kind in
            var config = natConfig
            config.kind = kind
            return WireSample("\(kind) network", "NetworkConfig", config)
        }
}
