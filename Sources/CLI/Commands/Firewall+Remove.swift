import ArgumentParser
import JoistAPI

extension FirewallCommand {
    /// `joist firewall remove INSTANCE|--network NAME --id N…`
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove", abstract: "Remove rules by the numbers `joist firewall list` shows.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: Target
        @Option(name: .customLong("id"), help: "The rule's number (repeat for several).") var ids: [Int]

        func validate() throws {
            guard !ids.isEmpty else { throw ValidationError("name the rule to remove with --id N (see `joist firewall list`)") }
        }

        func run() async throws {
            let client = global.client()
            for id in ids {
                try await client.send(.DELETE, target.path(global, rule: id))
                print("Removed firewall rule \(id) of \(target.owner)")
            }
        }
    }
}
