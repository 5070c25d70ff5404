import Foundation
import JoistAPI
import JoistCore
import Networking

/// Port forwards on the wire: with every optional set, with none, and every protocol.
enum NetworkForwardSamples {
    static let forward = NetworkForward(
        proto: .udp, listenAddress: try! IPv4Address(parsing: "192.168.1.10"), listenPort: 65535, project: "team-a", instance: "dns-1",
        targetPort: 53, targetAddress: try! IPv4Address(parsing: "10.20.30.254"))
    static let everywhere = NetworkForward(
        listenAddress: .any, listenPort: 8080, project: "default", instance: "web-1", targetPort: 80,
        targetAddress: try! IPv4Address(parsing: "10.20.30.2"))

    static let all: [WireSample] = [
        WireSample("udp forward", "NetworkForward", NetworkForwardInfo(forward, network: "web")),
        WireSample("forward listening everywhere", "NetworkForward", NetworkForwardInfo(everywhere, network: "web")),
        WireSample(
            "full forward create", "NetworkForwardCreate",
            NetworkForwardCreate(proto: .udp, listenAddress: try! IPv4Address(parsing: "127.0.0.1"), listenPort: 1, instance: "dns-1", targetPort: 65535)),
        WireSample(
            "minimal forward create", "NetworkForwardCreate",
            NetworkForwardCreate(listenAddress: .any, listenPort: 8080, instance: "web-1", targetPort: 80)),
        WireSample(
            "forward page", "NetworkForwardPage",
            Page(items: [NetworkForwardInfo(everywhere, network: "web"), NetworkForwardInfo(forward, network: "web")], next: "udp-192.168.1.10-65535")),
        WireSample("last forward page", "NetworkForwardPage", Page<NetworkForwardInfo>(items: [])),
        WireSample("forward id", "NetworkForwardID", everywhere.id.description),
        WireSample("udp forward id", "NetworkForwardID", forward.id.description),
        WireSample("lowest port", "PortNumber", UInt16(1)),
        WireSample("highest port", "PortNumber", UInt16.max),
    ] + PortForward.Proto.allCases.map { WireSample("\($0)", "PortForwardProto", $0) }
}
