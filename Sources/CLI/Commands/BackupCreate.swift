import ArgumentParser
import JoistAPI
import JoistCore

extension BackupCommand {
    /// `joist backup create INSTANCE [--store NAME] [--snapshot NAME]`
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Back up an instance's disks, running or stopped, into a backup store.",
            discussion: """
                The first backup of a qcow2 disk reads it whole; later ones into the same store read only the blocks \
                changed since the instance's latest backup there. Raw disks are read whole each time. Every backup \
                restores on its own.

                With --snapshot NAME, a disk snapshot of the instance (as `joist snapshot create` takes) is taken at \
                the very moment the backup reads, so what the backup holds also stays at hand for a fast local \
                rollback (`joist snapshot restore`). It is kept only if the backup succeeds; every writable disk must be qcow2.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String
        @Option(help: "The backup store (default: default).") var store: String?
        @Option(help: "Also take a disk snapshot with this name at the backup's moment.") var snapshot: String?
        @OptionGroup var wait: WaitOptions

        func run() async throws {
            if let store { try ResourceName.validate(store, kind: "backup store") }
            if let snapshot { try ResourceName.validate(snapshot, kind: "snapshot") }
            let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))/backups")
            let operation = try await global.client().runOperation(
                .POST, path, body: InstanceBackupCreate(store: store, snapshot: snapshot), wait: wait.shouldWait)
            guard operation.status == .succeeded, let result = operation.result else { return }
            let read = UInt64(result["bytesRead"] ?? "") ?? 0, stored = UInt64(result["bytesStored"] ?? "") ?? 0
            print(
                "Backed up \(instance) as \(result["kind"] ?? "") backup \(result["backup"] ?? "") in store \(result["store"] ?? ""): "
                    + "read \(Human.bytes(read)), stored \(Human.bytes(stored)) new"
                    + (result["snapshot"].map { "; snapshot \($0) holds the same moment" } ?? ""))
        }
    }
}
