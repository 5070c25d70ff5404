import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

/// `joist project create|list|info|set|delete`: tenants with limits.
struct ProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project", abstract: "Manage projects: isolated sets of instances with limits.",
        subcommands: [Create.self, List.self, Info.self, Set.self, Delete.self])

    /// `joist project create NAME [--limit instances=10,cpus=16,memory=32GiB] [--description TEXT]`
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a project.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Project name.") var name: String
        @Option(help: "Limits as name=value, comma-separated: instances, cpus, memory, disk, networks.") var limit: [String] = []
        @Option(help: "What the project is for.") var description: String?

        func run() async throws {
            let limits = try ProjectLimits().applying(try Self.limitSettings(limit))
            let info = try await global.client().call(
                .POST, "/1.0/projects", body: ProjectCreate(name: name, description: description, limits: limits), as: ProjectInfo.self)
            print("Created project \(info.project.name)")
        }

        /// `instances=10,cpus=16` (repeatable) as settings.
        static func limitSettings(_ words: [String]) throws -> [(key: String, value: String)] {
            try InstanceSpec.parseSettings(words.flatMap { $0.split(separator: ",").map(String.init) })
        }
    }

    /// `joist project list`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List projects with their usage and limits.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Output format: table, json, yaml or csv.") var format: OutputFormat = .table

        func run() async throws {
            let projects: [ProjectInfo] = try await global.client().all("/1.0/projects")
            switch format {
            case .json, .yaml: print(try OutputFormat.structured(projects, as: format), terminator: "")
            case .table, .csv:
                let table = Table(
                    headers: ["NAME", "INSTANCES", "CPUS", "MEMORY", "DISK", "DESCRIPTION"],
                    rows: projects.map { info in
                        let usage = info.usage, limits = info.project.limits
                        return [
                            info.project.name, Usage.of(usage.instances, limits.instances), Usage.of(usage.cpus, limits.cpus),
                            Usage.of(usage.memory, limits.memory), Usage.of(usage.disk, limits.disk), info.project.description,
                        ]
                    })
                print(format == .csv ? table.csv() : table.aligned(), terminator: "")
            }
        }
    }

    /// `joist project info NAME`
    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "info", abstract: "Show a project's limits and what it uses.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Project name.") var name: String
        @Option(help: "Output format: text, json or yaml.") var format: OutputFormat = .table

        func run() async throws {
            let info = try await global.client().call(.GET, "/1.0/projects/\(APIClient.segment(name))", as: ProjectInfo.self)
            switch format {
            case .json, .yaml: print(try OutputFormat.structured(info, as: format), terminator: "")
            default: print(Self.text(info), terminator: "")
            }
        }

        static func text(_ info: ProjectInfo) -> String {
            let usage = info.usage, limits = info.project.limits
            return [
                "Name: \(info.project.name)",
                "Description: \(info.project.description.isEmpty ? "-" : info.project.description)",
                "Created: \(info.project.createdAt.formatted(.iso8601))",
                "Usage (used / limit):",
                "  instances: \(Usage.of(usage.instances, limits.instances))",
                "  cpus: \(Usage.of(usage.cpus, limits.cpus))",
                "  memory: \(Usage.of(usage.memory, limits.memory))",
                "  disk: \(Usage.of(usage.disk, limits.disk))",
                "  networks: \(Usage.of(usage.networks, limits.networks))",
            ].joined(separator: "\n") + "\n"
        }
    }

    /// `joist project set NAME limits.cpus=16 description=…`
    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Change a project's description or limits (limits.NAME=VALUE; 'none' removes a limit).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Project name.") var name: String
        @Argument(help: "Settings: description=TEXT, limits.instances=N, limits.cpus=N, limits.memory=SIZE, …") var settings: [String]

        func run() async throws {
            var update = ProjectUpdate()
            var limitSettings: [(key: String, value: String)] = []
            for (key, value) in try InstanceSpec.parseSettings(settings) {
                if key == "description" {
                    update.description = value
                } else if key.hasPrefix("limits.") {
                    limitSettings.append((String(key.dropFirst("limits.".count)), value))
                } else {
                    throw CLIError("unknown project setting '\(key)'; use description=… or limits.NAME=…")
                }
            }
            let removed = limitSettings.filter { $0.value == "none" || $0.value.isEmpty }.map(\.key)
            let limits = try ProjectLimits().applying(limitSettings.filter { !removed.contains($0.key) })
            if !limitSettings.isEmpty { update.limits = limits }
            if !removed.isEmpty { update.unset = removed }
            let client = global.client()
            let path = "/1.0/projects/\(APIClient.segment(name))"
            // Send back the revision read, so a concurrent change is refused rather than overwritten.
            let etag = try await client.request(.GET, path).header("ETag")
            try await client.request(.PATCH, path, body: update, headers: etag.map { [("If-Match", $0)] } ?? [])
        }
    }

    /// `joist project delete NAME…`
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete empty projects.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Project names.") var names: [String]

        func run() async throws {
            let client = global.client()
            try await forEachName(names) { try await client.send(.DELETE, "/1.0/projects/\(APIClient.segment($0))") }
        }
    }
}

/// `used / limit` cells.
enum Usage {
    static func of<T: CustomStringConvertible>(_ used: T, _ limit: T?) -> String {
        "\(used) / \(limit.map(\.description) ?? "-")"
    }
}
