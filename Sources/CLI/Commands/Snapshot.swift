import ArgumentParser

/// `joist snapshot create|list|restore|delete|schedule`: an instance's snapshots.
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Take, list, restore and delete an instance's snapshots, and schedule them.",
        discussion: """
            A snapshot covers every writable disk of the instance (qcow2 internal snapshots; raw disks cannot \
            hold them, CD-ROMs and read-only disks are left out). A stateful snapshot also saves the guest's RAM \
            and device state: restoring it resumes the guest at that moment. Snapshots live in the disks' images, \
            so they count in the volumes' allocated bytes and go when the instance is deleted.
            """,
        subcommands: [Create.self, List.self, Restore.self, Delete.self, Schedule.self])
}
