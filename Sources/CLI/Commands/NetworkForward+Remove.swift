import ArgumentParser
import JoistAPI
import JoistCore
import Networking

extension NetworkForwardCommand {
    /// `joist network forward remove NETWORK ID…` or `… NETWORK --listen ADDR:PORT [--proto tcp|udp]`
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove", abstract: "Remove port forwards, named by id (tcp-0.0.0.0-8080) or by --listen.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Network name.") var network: String
        @Argument(help: "Forward ids, as list shows them: PROTO-ADDRESS-PORT.") var ids: [String] = []
        @Option(help: "The forward's host address and port: ADDR:PORT, instead of an id.") var listen: String?
        @Option(help: "The protocol of the forward named by --listen.") var proto: PortForward.Proto = .tcp

        /// The forwards the arguments name; an id that does not parse is refused before anything is sent.
        func forwardIDs() throws -> [NetworkForward.ID] {
            var named = try ids.map { text throws(JoistError) in try NetworkForward.ID(parsing: text) }
            if let listen {
                let parsed = try NetworkForward.parseListen(listen)
                named.append(NetworkForward.ID(proto: proto, listenAddress: parsed.address, listenPort: parsed.port))
            }
            guard !named.isEmpty else { throw ValidationError("name a forward: its id (tcp-0.0.0.0-8080) or --listen ADDR:PORT") }
            return named
        }

        func run() async throws {
            let client = global.client()
            let base = NetworkForwardCommand.path(network)
            try await forEachName(try forwardIDs().map(\.description)) { id in
                try await client.send(.DELETE, global.scoped(base + "/" + APIClient.segment(id)))
            }
        }
    }
}
