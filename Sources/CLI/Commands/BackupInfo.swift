import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

extension BackupCommand {
    /// `joist backup info INSTANCE ID [--format yaml|json]`
    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "info", abstract: "Show one backup of an instance: its disks, checkpoints and statistics.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String
        @Argument(help: "Backup id (see joist backup list).") var id: String
        @Option(help: "Output format: yaml or json.") var format: OutputFormat = .yaml

        func run() async throws {
            let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))/backups/\(APIClient.segment(id))")
            let backup = try await global.client().call(.GET, path, as: InstanceBackup.self)
            print(try OutputFormat.structured(backup, as: format == .json ? .json : .yaml), terminator: "")
        }
    }
}
