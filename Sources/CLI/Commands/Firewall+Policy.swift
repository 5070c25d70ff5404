import ArgumentParser
import JoistAPI
import Networking

extension FirewallCommand {
    /// `joist firewall policy NETWORK [--in allow|drop] [--out allow|drop]`
    struct Policy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "policy", abstract: "Set what a network does with traffic no rule matched (global admins).",
            discussion: """
                A direction left out is allow. drop still lets ARP, DHCP and the answers of allowed connections \
                through, which needs a host kernel that tracks bridged connections (nf_conntrack_bridge); joistd \
                refuses it on a host without.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Network name.") var network: String
        @Option(name: .customLong("in"), help: "allow or drop traffic to the guests.") var inbound: FirewallRule.Action = .allow
        @Option(name: .customLong("out"), help: "allow or drop traffic from the guests.") var outbound: FirewallRule.Action = .allow

        func run() async throws {
            let path = "/1.0/networks/\(APIClient.segment(network))/firewall/policy"
            let set = try await global.client().call(.PUT, path, body: FirewallPolicy(in: inbound, out: outbound), as: FirewallRuleSet.self)
            print("Network \(network): default policy \(set.policy ?? .allowAll)")
        }
    }
}
