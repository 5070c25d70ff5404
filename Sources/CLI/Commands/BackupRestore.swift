import ArgumentParser
import JoistAPI
import JoistCore

extension BackupCommand {
    /// `joist backup restore INSTANCE ID --as NEW | --in-place [--force]`
    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore", abstract: "Restore a backup as a new, stopped instance, or back into its (stopped) instance's disks.",
            discussion: """
                --as NEW: the new instance has the configuration recorded in the backup (for older backups: the \
                instance's current one) with new MAC addresses; each volume disk becomes a new qcow2 volume \
                NEW-VOLUME in the same pool, deleted with the new instance. This works after the instance was deleted.

                --in-place: the instance must be stopped. Each disk is written back into the instance's own image, in \
                its format, once every disk has been restored beside it (a failure leaves the disks as they were). \
                The disks' change records go with the old images, so the next backup reads them whole. Snapshots \
                live in the replaced images: an instance with snapshots is refused unless --force, which drops them.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String
        @Argument(help: "Backup id (see joist backup list).") var id: String
        @Option(name: .customLong("as"), help: "Restore as a new instance with this name.") var newName: String?
        @Flag(help: "Write the backup back into the instance's own disks (it must be stopped).") var inPlace = false
        @Flag(help: "With --in-place: go ahead although the instance has snapshots, which are dropped.") var force = false
        @OptionGroup var wait: WaitOptions

        func validate() throws {
            guard (newName != nil) != inPlace else { throw ValidationError("give exactly one of --as NEW and --in-place") }
            if force, !inPlace { throw ValidationError("--force goes with --in-place") }
            if let newName { try ResourceName.validate(newName) }
        }

        func run() async throws {
            let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))/backups/\(APIClient.segment(id))/restore")
            let body = newName.map { InstanceBackupRestore(as: $0) } ?? InstanceBackupRestore(inPlace: true, force: force ? true : nil)
            let operation = try await global.client().runOperation(.POST, path, body: body, wait: wait.shouldWait)
            guard operation.status == .succeeded else { return }
            if let newName {
                print("Restored backup \(id) of \(instance) as instance \(newName)")
            } else {
                print("Restored backup \(id) into the disks of instance \(instance); its next backup reads them whole")
            }
        }
    }
}
