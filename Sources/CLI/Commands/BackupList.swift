import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

extension BackupCommand {
    /// `joist backup list INSTANCE [--format table|json|yaml|csv]`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List an instance's backups in every backup store, oldest first.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String
        @Option(help: "Output format: table, json, yaml or csv.") var format: OutputFormat = .table

        func run() async throws {
            let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))/backups")
            let backups = try await global.client().call(.GET, path, as: [InstanceBackup].self)
            print(try Self.render(backups, as: format), terminator: "")
        }

        static func render(_ backups: [InstanceBackup], as format: OutputFormat) throws -> String {
            switch format {
            case .json, .yaml:
                return try OutputFormat.structured(backups, as: format)
            case .table, .csv:
                let rows = backups.map { backup in
                    [
                        backup.id, backup.store, backup.kind, backup.parent ?? "-", backup.createdAt.formatted(.iso8601),
                        Human.bytes(backup.disks.reduce(0) { $0 + $1.size }), Human.bytes(backup.stats.bytesRead),
                        Human.bytes(backup.stats.bytesStored), FilesystemFreeze.column(backup.filesystemFreeze),
                    ]
                }
                let table = Table(headers: ["ID", "STORE", "KIND", "PARENT", "CREATED", "SIZE", "READ", "STORED", "FS-FROZEN"], rows: rows)
                return format == .csv ? table.csv() : table.aligned()
            }
        }
    }
}
