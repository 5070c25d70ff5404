import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

extension BackupCommand {
    /// `joist backup list INSTANCE | --store NAME [INSTANCE] [--format table|json|yaml|csv]`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List an instance's backups in every backup store, or every backup in one store, oldest first.",
            discussion: """
                Backups outlive their instance: a deleted instance's backups are still listed (marked "deleted" in the \
                INSTANCE column of a store's listing), verified and restored with --as. `--store NAME` lists the \
                backups of every instance of the project in that store.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name (optional with --store).") var instance: String?
        @Option(help: "List every backup of the project's instances in this backup store.") var store: String?
        @Option(help: "Output format: table, json, yaml or csv.") var format: OutputFormat = .table

        func validate() throws {
            guard instance != nil || store != nil else { throw ValidationError("name an instance, or a backup store with --store NAME") }
        }

        func run() async throws {
            let client = global.client()
            var backups: [InstanceBackup]
            if let store {
                try ResourceName.validate(store, kind: "backup store")
                backups = try await client.call(.GET, global.scoped("/1.0/backup-stores/\(APIClient.segment(store))/backups"), as: [InstanceBackup].self)
                if let instance { backups = backups.filter { $0.instance == instance } }
            } else {
                let path = global.scoped("/1.0/instances/\(APIClient.segment(instance ?? ""))/backups")
                backups = try await client.call(.GET, path, as: [InstanceBackup].self)
            }
            print(try Self.render(backups, as: format, showingInstances: store != nil && instance == nil), terminator: "")
        }

        /// The listing; `showingInstances` adds the INSTANCE column (a store's listing), where an
        /// instance that no longer exists reads `NAME (deleted)`.
        static func render(_ backups: [InstanceBackup], as format: OutputFormat, showingInstances: Bool = false) throws -> String {
            switch format {
            case .json, .yaml:
                return try OutputFormat.structured(backups, as: format)
            case .table, .csv:
                let rows = backups.map { backup in
                    (showingInstances ? [backup.instance + (backup.instanceExists == false ? " (deleted)" : "")] : [])
                        + [
                            backup.id, backup.store, backup.kind, backup.parent ?? "-", backup.createdAt.formatted(.iso8601),
                            Human.bytes(backup.disks.reduce(0) { $0 + $1.size }), Human.bytes(backup.stats.bytesRead),
                            Human.bytes(backup.stats.bytesStored), FilesystemFreeze.column(backup.filesystemFreeze),
                        ]
                }
                let headers = (showingInstances ? ["INSTANCE"] : []) + ["ID", "STORE", "KIND", "PARENT", "CREATED", "SIZE", "READ", "STORED", "FS-FROZEN"]
                let table = Table(headers: headers, rows: rows)
                return format == .csv ? table.csv() : table.aligned()
            }
        }
    }
}
