import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

/// `joist storage create|list|info|delete`: pools, the places volumes live.
struct StorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage", abstract: "Manage storage pools: the folders volumes live in.",
        subcommands: [Create.self, List.self, Info.self, Delete.self])

    /// `joist storage create NAME --driver dir|btrfs --path PATH [--overcommit RATIO]`
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a storage pool (global admins).",
            discussion: """
                Without --overcommit, a volume is created only when every volume in the pool could still be \
                fully written. With --overcommit R, the volumes' sizes together may reach R times the \
                filesystem's capacity (thin provisioning).
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Pool name.") var name: String
        @Option(help: "Driver: dir (image files in a folder) or btrfs (a subvolume per volume).") var driver: StorageDriverKind
        @Option(help: "The pool's folder on the daemon's host.") var path: String
        @Option(help: "Let the volumes' sizes add up to this many times the capacity, e.g. 1.5.") var overcommit: Double?
        @Option(help: "What the pool is for.") var description: String?

        func run() async throws {
            // `./pool` and `../pools/fast` name folders too: send them in the normalized form the daemon wants.
            let folder = URL(fileURLWithPath: Paths.absolute(path)).standardizedFileURL.path
            let request = StoragePoolCreate(name: name, driver: driver, path: folder, description: description, overcommit: overcommit)
            let info = try await global.client().call(.POST, "/1.0/storage-pools", body: request, as: StoragePoolInfo.self)
            print("Created storage pool \(info.pool.name) at \(info.pool.path)")
        }
    }

    /// `joist storage list`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List storage pools with their space.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Output format: table, json, yaml or csv.") var format: OutputFormat = .table

        func run() async throws {
            let pools: [StoragePoolInfo] = try await global.client().all("/1.0/storage-pools")
            print(try Self.render(pools, as: format), terminator: "")
        }

        static func render(_ pools: [StoragePoolInfo], as format: OutputFormat) throws -> String {
            switch format {
            case .json, .yaml:
                return try OutputFormat.structured(pools, as: format)
            case .table, .csv:
                let table = Table(
                    headers: ["NAME", "DRIVER", "PATH", "CAPACITY", "FREE", "ALLOCATED", "OVERCOMMIT", "VOLUMES"],
                    rows: pools.map { info in
                        [
                            info.pool.name, info.pool.driver.rawValue, info.pool.path, Human.bytes(info.usage.capacity),
                            Human.bytes(info.usage.free), Human.bytes(info.usage.allocated),
                            info.pool.overcommit.map(Human.ratio) ?? "-", String(info.volumes.count),
                        ]
                    })
                return format == .csv ? table.csv() : table.aligned()
            }
        }
    }

    /// `joist storage info NAME`
    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "info", abstract: "Show a pool's space and the volumes in it.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Pool name.") var name: String
        @Option(help: "Output format: text, json or yaml.") var format: OutputFormat = .table

        func run() async throws {
            let info = try await global.client().call(.GET, "/1.0/storage-pools/\(APIClient.segment(name))", as: StoragePoolInfo.self)
            switch format {
            case .json, .yaml: print(try OutputFormat.structured(info, as: format), terminator: "")
            default: print(Self.text(info), terminator: "")
            }
        }

        static func text(_ info: StoragePoolInfo) -> String {
            let pool = info.pool, usage = info.usage
            var lines = [
                "Name: \(pool.name)",
                "Driver: \(pool.driver.rawValue)",
                "Path: \(pool.path)",
                "Description: \(pool.description.isEmpty ? "-" : pool.description)",
                "Created: \(pool.createdAt.formatted(.iso8601))",
                "Overcommit: \(pool.overcommit.map { Human.ratio($0) + " × capacity" } ?? "none (every volume must fit fully written)")",
                "Space:",
                "  capacity: \(Human.bytes(usage.capacity))",
                "  free: \(Human.bytes(usage.free))",
                "  used by volumes: \(Human.bytes(usage.used))",
                "  allocated (volume sizes): \(Human.bytes(usage.allocated))",
                "Volumes:" + (info.volumes.isEmpty ? " -" : ""),
            ]
            lines += info.volumes.map { "  \($0.name)" + ($0.project == Project.defaultName ? "" : " (project \($0.project))") }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// `joist storage delete NAME…`
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete empty storage pools (never default).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Pool names.") var names: [String]

        func run() async throws {
            let client = global.client()
            try await forEachName(names) { try await client.send(.DELETE, "/1.0/storage-pools/\(APIClient.segment($0))") }
        }
    }
}

extension StorageDriverKind: ExpressibleByArgument {}

extension Human {
    /// A byte count rounded for reading, e.g. `3.1GiB`.
    static func bytes(_ count: UInt64) -> String { ByteSize(bytes: count).approximate }

    /// `1.5`, `2`: a ratio without a needless `.0`.
    static func ratio(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
