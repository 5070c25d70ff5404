import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

extension BackupCommand {
    /// `joist backup schedule INSTANCE [--every 1d [--store NAME] [--keep-last N …]] [--disable]`
    struct Schedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schedule", abstract: "Show, set or remove an instance's backup schedule.",
            discussion: """
                With --every, joistd backs the instance up (running or stopped) whenever its newest backup in the store \
                is that old (at once when it has none there), as an operation, then prunes its backups there with \
                the --keep rules (none: nothing is pruned). Without options, shows the schedule; --disable removes it \
                (its backups stay).
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String
        @Option(help: "The interval: N and m, h, d or w, e.g. 6h, 1d, 1w (at least 1m).") var every: String?
        @Option(help: "The backup store (default: default).") var store: String?
        @OptionGroup var keepOptions: BackupKeepOptions
        @Flag(help: "Remove the schedule.") var disable = false

        func validate() throws {
            let setting = store != nil || !keepOptions.keep.isEmpty
            if disable, every != nil || setting { throw ValidationError("--disable takes no --every, --store or --keep options") }
            if every == nil, setting { throw ValidationError("--store and --keep options need --every") }
            if let every { _ = try SnapshotInterval(parsing: every) }
            if let store { try ResourceName.validate(store, kind: "backup store") }
        }

        func run() async throws {
            let client = global.client()
            let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))/backup-schedule")
            if disable {
                _ = try await client.send(.DELETE, path)
                print("Removed the backup schedule of \(instance); its backups stay")
                return
            }
            let info: BackupScheduleInfo
            if let every {
                info = try await client.call(.PUT, path, body: BackupSchedulePut(every: every, store: store, keep: keepOptions.keep), as: BackupScheduleInfo.self)
            } else {
                info = try await client.call(.GET, path, as: BackupScheduleInfo.self)
            }
            print(Self.describe(info, of: instance))
        }

        static func describe(_ info: BackupScheduleInfo, of instance: String) -> String {
            "Instance \(instance): a backup into store \(info.store) every \(info.every), keeping \(info.keep.summary); "
                + "next at \(info.nextAt.formatted(.iso8601))"
        }
    }
}
