import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

extension BackupCommand {
    /// `joist backup prune INSTANCE --keep-last N --keep-daily N … [--store NAME] [--dry-run] [--gc]`
    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prune", abstract: "Remove an instance's backups in a store that no --keep rule keeps.",
            discussion: """
                Each rule keeps backups on its own and a backup any rule keeps stays: --keep-last 3 --keep-daily 7 keeps \
                the three newest and the newest of each of the seven newest days that have backups (days, weeks and \
                months in joistd's time zone). At least one rule is needed. The backups left restore on their own. \
                Only the backups' manifests are removed: the space their chunks take comes back with \
                `joist backup-store gc STORE`, or with --gc.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String
        @OptionGroup var keepOptions: BackupKeepOptions
        @Option(help: "The backup store (default: default).") var store: String?
        @Flag(help: "Show what would be removed, removing nothing.") var dryRun = false
        @Flag(help: "Then remove the chunks no backup in the store needs (backup-store gc; global admins).") var gc = false
        @Option(help: "Output format: table, json or yaml.") var format: OutputFormat = .table

        func validate() throws {
            if keepOptions.keep.isEmpty {
                throw ValidationError(
                    "give at least one of --keep-last, --keep-hourly, --keep-daily, --keep-weekly, --keep-monthly, --keep-yearly: prune removes every backup no rule keeps")
            }
            if dryRun, gc { throw ValidationError("--dry-run removes nothing, so --gc has nothing to reclaim") }
        }

        func run() async throws {
            if let store { try ResourceName.validate(store, kind: "backup store") }
            let client = global.client()
            let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))/backups/prune")
            let result = try await client.call(
                .POST, path, body: InstanceBackupPrune(keep: keepOptions.keep, store: store, dryRun: dryRun ? true : nil),
                as: InstanceBackupPruneResult.self)
            print(try Self.render(result, keep: keepOptions.keep, as: format), terminator: "")
            guard gc, !result.removed.isEmpty else {
                if format == .table, !dryRun, !result.removed.isEmpty {
                    print("Their chunks stay until `joist backup-store gc \(result.store)` (or prune with --gc).")
                }
                return
            }
            let operation = try await client.runOperation(.POST, "/1.0/backup-stores/\(APIClient.segment(result.store))/gc", wait: true)
            guard operation.status == .succeeded, let report = operation.result else { return }
            print(
                "Removed \(report["chunksRemoved"] ?? "0") chunk(s) (\(Human.bytes(UInt64(report["bytesFreed"] ?? "") ?? 0))) "
                    + "from backup store \(result.store)")
        }

        /// The kept and removed backups with the rules that kept each, then a summary line.
        static func render(_ result: InstanceBackupPruneResult, keep: BackupKeep, as format: OutputFormat) throws -> String {
            switch format {
            case .json, .yaml:
                return try OutputFormat.structured(result, as: format)
            case .table, .csv:
                let removing = result.dryRun ? "would remove" : "removed"
                let rows =
                    result.kept.map { ["keep", $0.id, $0.createdAt.formatted(.iso8601), ($0.keptBy ?? []).joined(separator: ",")] }
                    + result.removed.map { [removing, $0.id, $0.createdAt.formatted(.iso8601), "-"] }
                let table = Table(headers: ["ACTION", "ID", "CREATED", "KEPT BY"], rows: rows)
                if format == .csv { return table.csv() }
                let summary =
                    (result.dryRun ? "Dry run: would remove" : "Removed") + " \(result.removed.count) and kept \(result.kept.count) backup(s) "
                    + "of \(result.instance) in backup store \(result.store) (keep \(keep.summary))\n"
                return (rows.isEmpty ? "" : table.aligned()) + summary
            }
        }
    }
}
