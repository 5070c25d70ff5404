import ArgumentParser
import JoistAPI
import JoistCore

extension BackupCommand {
    /// `joist backup create INSTANCE [--store NAME]`
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Back up an instance's disks, running or stopped, into a backup store.",
            discussion: """
                The first backup of a qcow2 disk reads it whole; later ones into the same store read only the blocks \
                changed since the instance's latest backup there. Raw disks are read whole each time. Every backup \
                restores on its own.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String
        @Option(help: "The backup store (default: default).") var store: String?
        @OptionGroup var wait: WaitOptions

        func run() async throws {
            if let store { try ResourceName.validate(store, kind: "backup store") }
            let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))/backups")
            let operation = try await global.client().runOperation(.POST, path, body: InstanceBackupCreate(store: store), wait: wait.shouldWait)
            guard operation.status == .succeeded, let result = operation.result else { return }
            let read = UInt64(result["bytesRead"] ?? "") ?? 0, stored = UInt64(result["bytesStored"] ?? "") ?? 0
            print(
                "Backed up \(instance) as \(result["kind"] ?? "") backup \(result["backup"] ?? "") in store \(result["store"] ?? ""): "
                    + "read \(Human.bytes(read)), stored \(Human.bytes(stored)) new")
        }
    }
}
