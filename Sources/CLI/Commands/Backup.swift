import ArgumentParser

/// `joist backup create|list|info|restore|verify`: deduplicated, incremental backups of instances' disks.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Back up instances into backup stores; list, inspect, restore and verify their backups.",
        subcommands: [Create.self, List.self, Info.self, Restore.self, Verify.self])
}
