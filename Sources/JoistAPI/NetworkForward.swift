public import JoistCore
public import Networking

/// `POST /1.0/networks/{network}/forwards`: forward a host port to a port of an instance of the
/// request's project, which has a NIC on the network. `proto` is `tcp` when absent.
public struct NetworkForwardCreate: Codable, Sendable, Equatable {
    public var proto: PortForward.Proto?
    /// One of the host's addresses, or `0.0.0.0` for every one of them.
    public var listenAddress: IPv4Address
    public var listenPort: UInt16
    /// The instance, in the request's project.
    public var instance: String
    public var targetPort: UInt16

    public init(proto: PortForward.Proto? = nil, listenAddress: IPv4Address, listenPort: UInt16, instance: String, targetPort: UInt16) {
        self.proto = proto
        self.listenAddress = listenAddress
        self.listenPort = listenPort
        self.instance = instance
        self.targetPort = targetPort
    }
}

/// A port forward of a network, as the API shows it: `id` names it in
/// `DELETE /1.0/networks/{network}/forwards/{id}`.
public struct NetworkForwardInfo: Codable, Sendable, Equatable {
    /// `PROTO-ADDRESS-PORT`, e.g. `tcp-0.0.0.0-8080`.
    public var id: String
    public var network: String
    public var proto: PortForward.Proto
    public var listenAddress: IPv4Address
    public var listenPort: UInt16
    public var project: String
    public var instance: String
    /// The instance's address on the network, where connections go.
    public var targetAddress: IPv4Address
    public var targetPort: UInt16

    public init(_ forward: NetworkForward, network: String) {
        self.id = forward.id.description
        self.network = network
        self.proto = forward.proto
        self.listenAddress = forward.listenAddress
        self.listenPort = forward.listenPort
        self.project = forward.project
        self.instance = forward.instance
        self.targetAddress = forward.targetAddress
        self.targetPort = forward.targetPort
    }
}
