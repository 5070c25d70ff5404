import ArgumentParser
import JoistAPI
import JoistCore

extension BackupCommand {
    /// `joist backup verify INSTANCE ID | --all [--store NAME]`
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify", abstract: "Re-read and re-hash every chunk a backup needs; fails naming any missing or corrupt one.",
            discussion: """
                --all checks every backup of the project in a store (default: default) as one operation, each shared \
                chunk once, and fails listing the damaged backups as INSTANCE/ID. It covers the project the command \
                runs in (--project); a global admin checks each project in turn.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String?
        @Argument(help: "Backup id (see joist backup list).") var id: String?
        @Flag(help: "Verify every backup of the project in the store.") var all = false
        @Option(help: "With --all: the backup store (default: default).") var store: String?
        @OptionGroup var wait: WaitOptions

        func validate() throws {
            if all {
                guard instance == nil, id == nil else { throw ValidationError("--all verifies a whole store: give no instance or backup id") }
                if let store { try ResourceName.validate(store, kind: "backup store") }
            } else {
                guard instance != nil, id != nil else { throw ValidationError("name an instance and a backup id, or give --all") }
                guard store == nil else { throw ValidationError("--store goes with --all") }
            }
        }

        func run() async throws {
            if all { return try await verifyStore(store ?? BackupStore.defaultName) }
            let instance = instance ?? "", id = id ?? ""
            let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))/backups/\(APIClient.segment(id))/verify")
            let operation = try await global.client().runOperation(.POST, path, wait: wait.shouldWait)
            guard operation.status == .succeeded, let result = operation.result else { return }
            let bytes = UInt64(result["bytesChecked"] ?? "") ?? 0
            print("Backup \(id) of \(instance) is intact: \(result["chunksChecked"] ?? "0") chunk(s), \(Human.bytes(bytes)) checked")
        }

        private func verifyStore(_ store: String) async throws {
            let path = global.scoped("/1.0/backup-stores/\(APIClient.segment(store))/verify")
            let operation = try await global.client().runOperation(.POST, path, wait: wait.shouldWait)
            guard operation.status == .succeeded, let result = operation.result else { return }
            let bytes = UInt64(result["bytesChecked"] ?? "") ?? 0
            print(
                "All \(result["backups"] ?? "0") backup(s) of project \(result["project"] ?? "") in store \(store) are intact: "
                    + "\(result["chunksChecked"] ?? "0") chunk(s), \(Human.bytes(bytes)) checked")
        }
    }
}
