import ArgumentParser
import JoistAPI
import JoistCore

extension BackupStoreCommand {
    /// `joist backup-store gc NAME`
    struct GC: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gc", abstract: "Delete the chunks no backup in a store needs any more (global admins).",
            discussion: "Refused, deleting nothing, while a backup, restore or verify uses the store; run it again afterwards.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Store name.") var name: String = BackupStore.defaultName
        @OptionGroup var wait: WaitOptions

        func run() async throws {
            let operation = try await global.client().runOperation(
                .POST, "/1.0/backup-stores/\(APIClient.segment(name))/gc", wait: wait.shouldWait)
            guard operation.status == .succeeded, let result = operation.result else { return }
            let freed = UInt64(result["bytesFreed"] ?? "") ?? 0
            print(
                "Removed \(result["chunksRemoved"] ?? "0") chunk(s) (\(Human.bytes(freed))) from backup store \(name); "
                    + "kept \(result["chunksKept"] ?? "0") for \(result["backups"] ?? "0") backup(s)")
        }
    }
}
