import ArgumentParser
import JoistAPI
import JoistCore

extension BackupCommand {
    /// `joist backup restore INSTANCE ID --as NEW`
    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore", abstract: "Restore a backup as a new, stopped instance with new volumes holding its disks.",
            discussion: """
                The new instance has the backed-up instance's configuration with new MAC addresses; each volume disk \
                becomes a new qcow2 volume NEW-VOLUME in the same pool, deleted with the new instance.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String
        @Argument(help: "Backup id (see joist backup list).") var id: String
        @Option(name: .customLong("as"), help: "The new instance's name.") var newName: String
        @OptionGroup var wait: WaitOptions

        func run() async throws {
            try ResourceName.validate(newName)
            let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))/backups/\(APIClient.segment(id))/restore")
            let operation = try await global.client().runOperation(.POST, path, body: InstanceBackupRestore(as: newName), wait: wait.shouldWait)
            guard operation.status == .succeeded else { return }
            print("Restored backup \(id) of \(instance) as instance \(newName)")
        }
    }
}
