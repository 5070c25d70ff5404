import ArgumentParser

/// `joist backup create|list|info|restore|verify|delete|prune|schedule`: deduplicated, incremental backups of instances' disks.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Back up instances into backup stores, on demand or on a schedule; list, inspect, restore, verify, delete and prune their backups.",
        subcommands: [Create.self, List.self, Info.self, Restore.self, Verify.self, Delete.self, Prune.self, Schedule.self])
}
