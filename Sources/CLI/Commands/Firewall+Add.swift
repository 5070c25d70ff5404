import ArgumentParser
import JoistAPI
import Networking

extension FirewallCommand {
    /// `joist firewall add INSTANCE|--network NAME --direction in|out [--proto …] [--port P] [--source CIDR]
    /// [--destination CIDR] --action allow|drop`
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Add a rule at the end of an instance's or a network's list.",
            discussion: """
                --direction is seen from the guest: in is traffic arriving at its NIC, out what it sends. --port is \
                the destination port (tcp and udp): the instance's service for in, the remote one for out. \
                --source and --destination take an address or a CIDR range. Rules match packets, not connections: \
                a drop rule without a port also drops answers to the guest's own connections.
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: Target
        @Option(help: "in (to the guest) or out (from the guest).") var direction: FirewallRule.Direction
        @Option(help: "tcp, udp, icmp or any.") var proto: FirewallRule.Proto = .any
        @Option(help: "Destination port or range, e.g. 22 or 8000-8080 (tcp and udp).", transform: { try PortRange(parsing: $0) })
        var port: PortRange?
        @Option(help: "Source address or CIDR range.") var source: String?
        @Option(help: "Destination address or CIDR range.") var destination: String?
        @Option(help: "allow or drop.") var action: FirewallRule.Action

        var request: FirewallRuleCreate {
            FirewallRuleCreate(direction: direction, proto: proto, port: port, source: source, destination: destination, action: action)
        }

        func validate() throws {
            _ = try request.rule()
        }

        func run() async throws {
            let rule = try await global.client().call(.POST, target.path(global), body: request, as: FirewallRule.self)
            print("Added firewall rule \(rule.id) to \(target.owner): \(rule)")
        }
    }
}
