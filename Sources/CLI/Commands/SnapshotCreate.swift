import ArgumentParser
import JoistAPI
import JoistCore

extension SnapshotCommand {
    /// `joist snapshot create INSTANCE NAME [--stateful]`
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Snapshot an instance's disks, running or stopped; --stateful saves RAM and device state too.",
            discussion: """
                A disk snapshot of a running guest is taken at one instant across all its disks, without pausing it. \
                A stateful snapshot pauses the guest while QEMU writes its state (seconds for a small guest), then \
                resumes it; the instance must be running or paused.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String
        @Argument(help: "The snapshot's name (letters, digits and '-').") var name: String
        @Flag(help: "Save RAM and device state too, so a restore resumes the guest where it was.") var stateful = false
        @OptionGroup var wait: WaitOptions

        func run() async throws {
            try ResourceName.validate(name, kind: "snapshot")
            let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))/snapshots")
            try await global.client().runOperation(
                .POST, path, body: InstanceSnapshotCreate(name: name, stateful: stateful ? true : nil), wait: wait.shouldWait)
            if wait.shouldWait { print("Took \(stateful ? "stateful " : "")snapshot \(name) of \(instance)") }
        }
    }
}
