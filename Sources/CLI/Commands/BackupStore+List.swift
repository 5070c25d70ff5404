import ArgumentParser
import Foundation
import JoistAPI

extension BackupStoreCommand {
    /// `joist backup-store list`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List backup stores.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Output format: table, json, yaml or csv.") var format: OutputFormat = .table

        func run() async throws {
            let stores: [BackupStoreInfo] = try await global.client().all("/1.0/backup-stores")
            print(try Self.render(stores, as: format), terminator: "")
        }

        static func render(_ stores: [BackupStoreInfo], as format: OutputFormat) throws -> String {
            switch format {
            case .json, .yaml:
                return try OutputFormat.structured(stores, as: format)
            case .table, .csv:
                let table = Table(
                    headers: ["NAME", "PATH", "BACKUPS", "CAPACITY", "FREE", "DESCRIPTION"],
                    rows: stores.map { info in
                        [
                            info.store.name, info.store.path, String(info.usage.backups), Human.bytes(info.usage.capacity),
                            Human.bytes(info.usage.free), info.store.description,
                        ]
                    })
                return format == .csv ? table.csv() : table.aligned()
            }
        }
    }

    /// `joist backup-store info NAME`
    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "info", abstract: "Show what a backup store holds (counts every chunk: slow for large stores).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Store name.") var name: String
        @Option(help: "Output format: text, json or yaml.") var format: OutputFormat = .table

        func run() async throws {
            let info = try await global.client().call(.GET, "/1.0/backup-stores/\(APIClient.segment(name))", as: BackupStoreInfo.self)
            switch format {
            case .json, .yaml: print(try OutputFormat.structured(info, as: format), terminator: "")
            default: print(Self.text(info), terminator: "")
            }
        }

        static func text(_ info: BackupStoreInfo) -> String {
            let store = info.store, usage = info.usage
            let lines = [
                "Name: \(store.name)",
                "Path: \(store.path)",
                "Description: \(store.description.isEmpty ? "-" : store.description)",
                "Created: \(store.createdAt.formatted(.iso8601))",
                "Chunk size: \(Human.bytes(UInt64(info.chunkSize)))",
                "Backups: \(usage.backups)",
                "Chunks: \(usage.chunks.map(String.init) ?? "-")",
                "Stored (compressed): \(usage.storedBytes.map(Human.bytes) ?? "-")",
                "Space:",
                "  capacity: \(Human.bytes(usage.capacity))",
                "  free: \(Human.bytes(usage.free))",
            ]
            return lines.joined(separator: "\n") + "\n"
        }
    }
}
