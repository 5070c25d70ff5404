import ArgumentParser

/// `joist backup create|list|info|verify`: deduplicated, incremental backups of instances' disks.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Back up instances into backup stores, list, inspect and verify their backups.",
        subcommands: [Create.self, List.self, Info.self, Verify.self])
}
