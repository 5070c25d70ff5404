import ArgumentParser
import JoistAPI
import JoistCore
import Networking

extension NetworkForwardCommand {
    /// `joist network forward add NETWORK --listen ADDR:PORT --to INSTANCE:PORT [--proto tcp|udp]`
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Forward a host port to a port of an instance on the network.",
            discussion: "Example: joist network forward add lan --listen 0.0.0.0:8080 --to web-1:80")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Network name (a nat network).") var network: String
        @Option(help: "The host address and port to forward: ADDR:PORT, 0.0.0.0 for every host address.") var listen: String
        @Option(help: "The instance and its port: INSTANCE:PORT.") var to: String
        @Option(help: "Protocol: tcp or udp.") var proto: PortForward.Proto = .tcp

        /// The request the options describe; refused before anything is sent when one does not parse.
        func request() throws -> NetworkForwardCreate {
            let listen = try NetworkForward.parseListen(self.listen)
            let target = try NetworkForward.parseTarget(to)
            return NetworkForwardCreate(
                proto: proto, listenAddress: listen.address, listenPort: listen.port, instance: target.instance, targetPort: target.port)
        }

        func run() async throws {
            let forward = try await global.client().call(
                .POST, global.scoped(NetworkForwardCommand.path(network)), body: try request(), as: NetworkForwardInfo.self)
            print("Forwarding \(forward.proto.rawValue) \(forward.listenAddress):\(forward.listenPort) to \(forward.instance) (\(forward.targetAddress):\(forward.targetPort)) as \(forward.id)")
        }
    }
}
