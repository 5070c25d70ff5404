import ArgumentParser
import JoistAPI
import Networking

extension FirewallCommand {
    /// `joist firewall list INSTANCE|--network NAME [--format …]`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List an instance's or a network's rules in the order they are evaluated.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: Target
        @Option(help: "Output format: table, json, yaml or csv.") var format: OutputFormat = .table

        func run() async throws {
            let set = try await global.client().call(.GET, target.path(global), as: FirewallRuleSet.self)
            print(try Self.render(set, as: format), terminator: "")
        }

        static func render(_ set: FirewallRuleSet, as format: OutputFormat) throws -> String {
            switch format {
            case .json, .yaml:
                return try OutputFormat.structured(set, as: format)
            case .table, .csv:
                let table = Table(
                    headers: ["ID", "DIRECTION", "PROTO", "PORT", "SOURCE", "DESTINATION", "ACTION"],
                    rows: set.rules.map { rule in
                        [
                            String(rule.id), rule.direction.rawValue, rule.proto.rawValue, rule.port.map { "\($0)" } ?? "-",
                            rule.source.map(FirewallRule.text) ?? "-", rule.destination.map(FirewallRule.text) ?? "-", rule.action.rawValue,
                        ]
                    })
                let policy = set.policy.map { "Default policy: \($0)\n" } ?? ""
                return format == .csv ? table.csv() : table.aligned() + policy
            }
        }
    }
}
