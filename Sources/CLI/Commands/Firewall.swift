import ArgumentParser
import JoistAPI
import Networking

/// `joist firewall add|list|remove|policy`: firewall rules of instances and networks.
struct FirewallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firewall", abstract: "Manage firewall rules of instances and networks.",
        discussion: """
            Rules filter IPv4 packets at the instances' NICs, whether they come from another guest, the host \
            or beyond. An instance's rules are evaluated first, then its network's rules, then the network's \
            default policy; the first match wins. A network's rules hold for every instance on it; only \
            global admins change them.
            """,
        subcommands: [Add.self, List.self, Remove.self, Policy.self])

    /// Whose rules: an instance (`INSTANCE`, in the project picked by --project) or a network (`--network NAME`).
    struct Target: ParsableArguments {
        @Argument(help: "Instance name (or give --network).") var instance: String?
        @Option(help: "A network's rules instead of an instance's.") var network: String?

        func validate() throws {
            guard (instance == nil) != (network == nil) else {
                throw ValidationError("name an instance or give --network NAME, not both")
            }
        }

        /// `/1.0/instances/NAME/firewall?project=…` or `/1.0/networks/NAME/firewall`.
        func path(_ global: GlobalOptions) -> String {
            if let network { return "/1.0/networks/\(APIClient.segment(network))/firewall" }
            return global.scoped("/1.0/instances/\(APIClient.segment(instance ?? ""))/firewall")
        }

        /// `instance web-1` or `network lan`, for messages.
        var owner: String { network.map { "network \($0)" } ?? "instance \(instance ?? "")" }

        /// A path below the rules (`…/firewall/3`), keeping the project query at the end.
        func path(_ global: GlobalOptions, rule id: Int) -> String {
            if let network { return "/1.0/networks/\(APIClient.segment(network))/firewall/\(id)" }
            return global.scoped("/1.0/instances/\(APIClient.segment(instance ?? ""))/firewall/\(id)")
        }
    }
}

extension FirewallRule.Direction: ExpressibleByArgument {}
extension FirewallRule.Proto: ExpressibleByArgument {}
extension FirewallRule.Action: ExpressibleByArgument {}
