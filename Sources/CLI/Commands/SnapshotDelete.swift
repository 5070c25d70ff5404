import ArgumentParser
import JoistAPI

extension SnapshotCommand {
    /// `joist snapshot delete INSTANCE NAME…`
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Delete snapshots; their children take their parents.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String
        @Argument(help: "Snapshot names.") var names: [String]
        @OptionGroup var wait: WaitOptions

        func run() async throws {
            let client = global.client()
            try await forEachName(names) { name in
                let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))/snapshots/\(APIClient.segment(name))")
                try await client.runOperation(.DELETE, path, wait: wait.shouldWait)
                if wait.shouldWait { print("Deleted snapshot \(name) of \(instance)") }
            }
        }
    }
}
