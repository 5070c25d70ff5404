import ArgumentParser
import JoistAPI

extension SnapshotCommand {
    /// `joist snapshot restore INSTANCE NAME [--force]`
    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore", abstract: "Restore a snapshot: a stateful one resumes the guest at that moment.",
            discussion: """
                A stateful snapshot is loaded into the running guest (a paused one stays paused), or a stopped \
                instance is started from it. A disk snapshot restores the disks of a stopped instance; a running \
                one is refused, since its disks would change under the guest, unless --force: then it is stopped \
                hard, its disks restored and it is started again.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String
        @Argument(help: "Snapshot name.") var name: String
        @Flag(help: "Restore a disk snapshot of a running instance by stopping it hard and starting it again.") var force = false
        @OptionGroup var wait: WaitOptions

        func run() async throws {
            let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))/snapshots/\(APIClient.segment(name))/restore")
            let done = try await global.client().runOperation(
                .POST, path, body: InstanceSnapshotRestore(force: force ? true : nil), wait: wait.shouldWait)
            if wait.shouldWait {
                print("Restored snapshot \(name) of \(instance)" + (done.result?["state"].map { " (\($0))" } ?? ""))
            }
        }
    }
}
