import ArgumentParser
import JoistAPI
import JoistCore

extension BackupCommand {
    /// `joist backup verify INSTANCE ID`
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify", abstract: "Re-read and re-hash every chunk a backup needs; fails naming any missing or corrupt one.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String
        @Argument(help: "Backup id (see joist backup list).") var id: String
        @OptionGroup var wait: WaitOptions

        func run() async throws {
            let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))/backups/\(APIClient.segment(id))/verify")
            let operation = try await global.client().runOperation(.POST, path, wait: wait.shouldWait)
            guard operation.status == .succeeded, let result = operation.result else { return }
            let bytes = UInt64(result["bytesChecked"] ?? "") ?? 0
            print("Backup \(id) of \(instance) is intact: \(result["chunksChecked"] ?? "0") chunk(s), \(Human.bytes(bytes)) checked")
        }
    }
}
