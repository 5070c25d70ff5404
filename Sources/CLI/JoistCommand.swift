public import ArgumentParser

/// The `joist` command: manage virtual machines through `joistd`.
public struct JoistCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "joist",
        abstract: "Run and manage virtual machines with joistd.",
        discussion: "Talks to joistd over its Unix socket (--socket, or JOIST_SOCKET; default /run/joist/joist.sock) or a remote (--remote, JOIST_REMOTE, `joist remote`). --project (or JOIST_PROJECT) picks the project.",
        version: "0.1.0",
        subcommands: [
            Create.self, Launch.self, Publish.self, Start.self, Stop.self, Restart.self, Pause.self, Resume.self, Delete.self,
            List.self, Info.self, Exec.self, FileCommand.self, Console.self, SSH.self, Config.self, StorageCommand.self, VolumeCommand.self, BackupStoreCommand.self, BackupCommand.self,
            NetworkCommand.self, NICCommand.self, SnapshotCommand.self, FirewallCommand.self, ImageCommand.self, ProjectCommand.self,
            TokenCommand.self,
            OperationCommand.self, Monitor.self, Audit.self, Resources.self, Metrics.self, Remote.self,
        ]
    )

    public init() {}
}
