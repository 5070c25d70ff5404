import ArgumentParser
import JoistAPI

extension BackupStoreCommand {
    /// `joist backup-store delete NAME…`
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Forget backup stores; their folders and backups stay on disk (never default).",
            discussion: """
                joistd stops using the store, but nothing is erased: `joist backup-store create NAME --path \
                PATH` over the same folder adopts its backups again. Remove the folder yourself to free the space.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Store names.") var names: [String]

        func run() async throws {
            let client = global.client()
            try await forEachName(names) { try await client.send(.DELETE, "/1.0/backup-stores/\(APIClient.segment($0))") }
        }
    }
}
