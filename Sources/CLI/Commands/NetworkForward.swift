import ArgumentParser
import JoistAPI
import JoistCore
import Networking

/// `joist network forward add|list|remove`: host ports forwarded to instances on a nat network.
struct NetworkForwardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward", abstract: "Forward host ports to instances on a nat network.",
        discussion: """
            A forward sends connections to a port of the host (on one of its addresses, or on all of them \
            with 0.0.0.0) to a port of an instance with a NIC on the network, at the fixed address that NIC \
            holds there. Connections from the host itself reach it too, on 127.0.0.1 as well. Forwards \
            belong to the project of their instance and go when it is deleted.
            """,
        subcommands: [Add.self, List.self, Remove.self])

    /// `joist network forward list NETWORK`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List a network's port forwards to the project's instances.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Network name.") var network: String
        @Option(help: "Output format: table, json, yaml or csv.") var format: OutputFormat = .table

        func run() async throws {
            let forwards: [NetworkForwardInfo] = try await global.client().all(global.scoped(NetworkForwardCommand.path(network)))
            print(try Self.render(forwards, as: format), terminator: "")
        }

        static func render(_ forwards: [NetworkForwardInfo], as format: OutputFormat) throws -> String {
            switch format {
            case .json, .yaml:
                return try OutputFormat.structured(forwards, as: format)
            case .table, .csv:
                let table = Table(
                    headers: ["ID", "PROTO", "LISTEN", "INSTANCE", "TARGET"],
                    rows: forwards.map { forward in
                        [
                            forward.id, forward.proto.rawValue, "\(forward.listenAddress):\(forward.listenPort)",
                            forward.instance + (forward.project == Project.defaultName ? "" : " (project \(forward.project))"),
                            "\(forward.targetAddress):\(forward.targetPort)",
                        ]
                    })
                return format == .csv ? table.csv() : table.aligned()
            }
        }
    }

    /// `/1.0/networks/NETWORK/forwards`.
    static func path(_ network: String) -> String { "/1.0/networks/\(APIClient.segment(network))/forwards" }
}

extension PortForward.Proto: ExpressibleByArgument {}
