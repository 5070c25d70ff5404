import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

/// `joist backup-store create|list|info|delete|gc`: the folders backups live in.
struct BackupStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup-store", abstract: "Manage backup stores: the folders deduplicated backups live in.",
        subcommands: [Create.self, List.self, Info.self, Delete.self, GC.self])

    /// `joist backup-store create NAME --path PATH [--description TEXT]`
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Create a backup store, or adopt the one in a folder (global admins, local socket).",
            discussion: """
                An empty or new folder becomes a store. A folder that already holds a Joist backup store (one \
                deleted from joistd, or moved from another host) is adopted with all its backups.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Store name.") var name: String
        @Option(help: "The store's folder on the daemon's host.") var path: String
        @Option(help: "What the store is for.") var description: String?

        func run() async throws {
            let folder = URL(fileURLWithPath: Paths.absolute(path)).standardizedFileURL.path
            let request = BackupStoreCreate(name: name, path: folder, description: description)
            let info = try await global.client().call(.POST, "/1.0/backup-stores", body: request, as: BackupStoreInfo.self)
            let held = info.usage.backups == 0 ? "" : " (adopted \(info.usage.backups) backup(s) found there)"
            print("Created backup store \(info.store.name) at \(info.store.path)\(held)")
        }
    }
}
