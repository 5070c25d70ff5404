import ArgumentParser
import JoistAPI

extension BackupCommand {
    /// `joist backup delete INSTANCE ID…`
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Delete backups of an instance; the other backups still restore on their own.",
            discussion: "Only the backups' manifests are removed: `joist backup-store gc STORE` reclaims the chunks no backup needs.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String
        @Argument(help: "Backup ids (see joist backup list).") var ids: [String]

        func run() async throws {
            let client = global.client()
            try await forEachName(ids) { id in
                let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))/backups/\(APIClient.segment(id))")
                _ = try await client.send(.DELETE, path)
                print("Deleted backup \(id) of \(instance)")
            }
        }
    }
}
