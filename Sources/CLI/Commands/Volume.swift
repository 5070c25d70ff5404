import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

/// `joist volume create|list|info|resize|clone|delete|attach|detach|import|export`: a project's virtual disks in storage pools.
struct VolumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volume", abstract: "Manage volumes: virtual disks in storage pools.",
        subcommands: [
            Create.self, List.self, Info.self, Resize.self, Clone.self, Delete.self, Attach.self, Detach.self, Import.self,
            Export.self,
        ])

    /// The `POOL NAME` pair most volume commands start with.
    struct Name: ParsableArguments {
        @Argument(help: "Storage pool.") var pool: String
        @Argument(help: "Volume name.") var name: String

        var reference: VolumeReference { VolumeReference(pool: pool, name: name) }
        var path: String { "/1.0/storage-pools/\(APIClient.segment(pool))/volumes/\(APIClient.segment(name))" }
    }

    /// `joist volume create POOL NAME --size 20GiB [--format qcow2|raw]`
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an empty volume.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var volume: Name
        @Option(help: "Virtual size, e.g. 20GiB.") var size: String
        @Option(help: "Image format: qcow2 (the default; thin, supports linked clones) or raw.") var format: DiskFormat?

        func run() async throws {
            let path = global.scoped("/1.0/storage-pools/\(APIClient.segment(volume.pool))/volumes")
            let created = try await global.client().call(
                .POST, path, body: StorageVolumeCreate(name: volume.name, size: size, format: format), as: StorageVolume.self)
            print("Created volume \(created.pool)/\(created.name) (\(created.format.rawValue), \(created.size))")
        }
    }

    /// `joist volume list [POOL]`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the project's volumes, in one pool or in all.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Only this storage pool.") var pool: String?
        @Option(help: "Output format: table, json, yaml or csv.") var format: OutputFormat = .table

        func run() async throws {
            let path = pool.map { "/1.0/storage-pools/\(APIClient.segment($0))/volumes" } ?? "/1.0/volumes"
            let volumes: [StorageVolume] = try await global.client().all(global.scoped(path))
            print(try Self.render(volumes, as: format), terminator: "")
        }

        static func render(_ volumes: [StorageVolume], as format: OutputFormat) throws -> String {
            switch format {
            case .json, .yaml:
                return try OutputFormat.structured(volumes, as: format)
            case .table, .csv:
                let table = Table(
                    headers: ["POOL", "NAME", "FORMAT", "SIZE", "ALLOCATED", "LINKED-TO", "USED-BY"],
                    rows: volumes.map { volume in
                        [
                            volume.pool, volume.name, volume.format.rawValue, Human.bytes(volume.size.bytes), Human.bytes(volume.allocated),
                            volume.linkedTo?.description ?? "-", volume.usedBy.isEmpty ? "-" : volume.usedBy.joined(separator: " "),
                        ]
                    })
                return format == .csv ? table.csv() : table.aligned()
            }
        }
    }

    /// `joist volume info POOL NAME`
    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "info", abstract: "Show a volume: sizes, format, links and users.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var volume: Name
        @Option(help: "Output format: text, json or yaml.") var format: OutputFormat = .table

        func run() async throws {
            let found = try await global.client().call(.GET, global.scoped(volume.path), as: StorageVolume.self)
            switch format {
            case .json, .yaml: print(try OutputFormat.structured(found, as: format), terminator: "")
            default: print(Self.text(found), terminator: "")
            }
        }

        static func text(_ volume: StorageVolume) -> String {
            let none = "-"
            return [
                "Name: \(volume.name)",
                "Pool: \(volume.pool)",
                "Project: \(volume.project)",
                "Format: \(volume.format.rawValue)",
                "Size: \(volume.size)",
                "Allocated: \(Human.bytes(volume.allocated)) on disk",
                "Linked to: \(volume.linkedTo?.description ?? none)",
                "Image: \(volume.image.map { String($0.prefix(12)) } ?? none)",
                "Linked clones: \(volume.dependents.isEmpty ? none : volume.dependents.map(\.description).joined(separator: ", "))",
                "Used by: \(volume.usedBy.isEmpty ? none : volume.usedBy.joined(separator: ", "))",
                "Created: \(volume.createdAt.formatted(.iso8601))",
            ].joined(separator: "\n") + "\n"
        }
    }

    /// `joist volume resize POOL NAME SIZE [--allow-shrink]`
    struct Resize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resize",
            abstract: "Change a volume's virtual size.",
            discussion: "Growing is safe; the guest then grows its partitions itself. Shrinking cuts off whatever lies beyond the new end and needs --allow-shrink.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var volume: Name
        @Argument(help: "The new size, e.g. 48GiB.") var size: String
        @Flag(help: "Allow the volume to become smaller (the guest's data beyond the new end is lost).") var allowShrink = false

        func run() async throws {
            let client = global.client()
            let path = global.scoped(volume.path)
            let wanted = try ByteSize(parsing: size)
            let current = try await client.call(.GET, path, as: StorageVolume.self).size
            if wanted < current {
                guard allowShrink else {
                    throw CLIError(
                        "refusing to shrink volume \(volume.reference) from \(current) to \(wanted): the guest loses whatever lies beyond \(wanted); pass --allow-shrink if you are sure")
                }
                FileHandle.standardError.write(
                    Data("Warning: shrinking volume \(volume.reference) from \(current) to \(wanted); data beyond \(wanted) is lost.\n".utf8))
            }
            let resized = try await client.call(
                .POST, global.scoped(volume.path + "/resize"), body: StorageVolumeResize(size: size, allowShrink: allowShrink ? true : nil),
                as: StorageVolume.self)
            print("Resized volume \(volume.reference) to \(resized.size)")
        }
    }

    /// `joist volume clone POOL NAME NEW [--linked]`
    struct Clone: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "clone",
            abstract: "Copy a volume to a new one in the same pool.",
            discussion: "With --linked, the clone is made at once and reads the source's data until it writes its own; the source cannot be deleted while linked clones depend on it.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var volume: Name
        @Argument(help: "The new volume's name.") var new: String
        @Flag(help: "A copy-on-write clone that depends on the source.") var linked = false
        @OptionGroup var wait: WaitOptions

        func run() async throws {
            let operation = try await global.client().runOperation(
                .POST, global.scoped(volume.path + "/clone"), body: StorageVolumeClone(name: new, linked: linked ? true : nil),
                wait: wait.shouldWait)
            guard operation.status == .succeeded else { return }
            let kind = operation.result?["linked"] == "true" ? "linked clone" : "copy"
            print("Cloned volume \(volume.reference) to \(volume.pool)/\(new) (\(kind))")
        }
    }

    /// `joist volume delete POOL NAME`
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Delete a volume (refused while an instance uses it or linked clones depend on it).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var volume: Name

        func run() async throws {
            try await global.client().send(.DELETE, global.scoped(volume.path))
        }
    }
}

extension DiskFormat: ExpressibleByArgument {}
