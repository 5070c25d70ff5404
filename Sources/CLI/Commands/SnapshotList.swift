import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

extension SnapshotCommand {
    /// `joist snapshot list INSTANCE [--format table|json|yaml|csv]`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List an instance's snapshots as a tree: each under the one it was taken after.",
            discussion: "* marks the current snapshot: the last one taken or restored, the parent of the next.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String
        @Option(help: "Output format: table, json, yaml or csv.") var format: OutputFormat = .table

        func run() async throws {
            let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))/snapshots")
            let snapshots = try await global.client().call(.GET, path, as: [InstanceSnapshot].self)
            print(try Self.render(snapshots, as: format), terminator: "")
        }

        static func render(_ snapshots: [InstanceSnapshot], as format: OutputFormat) throws -> String {
            switch format {
            case .json, .yaml:
                return try OutputFormat.structured(snapshots, as: format)
            case .table, .csv:
                let rows = SnapshotTreeLayout.lines(snapshots).map { line in
                    let snapshot = line.snapshot
                    let disks = snapshot.disks.map { "\($0.disk) (\($0.size.approximate))" }.joined(separator: ", ")
                    return [
                        (format == .table ? line.prefix : "") + snapshot.name + (snapshot.current ? " *" : ""),
                        snapshot.parent ?? "-", snapshot.stateful ? "stateful" : "disk", snapshot.createdAt.formatted(.iso8601),
                        snapshot.vmStateSize.map { ByteSize(bytes: $0).approximate } ?? "-", disks, snapshot.scheduled ? "yes" : "no",
                        FilesystemFreeze.column(snapshot.filesystemFreeze),
                    ]
                }
                let table = Table(headers: ["NAME", "PARENT", "KIND", "CREATED", "STATE-SIZE", "DISKS", "SCHEDULED", "FS-FROZEN"], rows: rows)
                return format == .csv ? table.csv() : table.aligned()
            }
        }
    }
}

/// Orders snapshots as a tree for display: each one under its parent, siblings in the order joistd
/// lists them (oldest first), with the `├─`/`└─` prefix that draws the branches. Snapshots whose
/// parent is gone are roots.
enum SnapshotTreeLayout {
    struct Line: Equatable {
        var prefix: String
        var snapshot: InstanceSnapshot
    }

    static func lines(_ snapshots: [InstanceSnapshot]) -> [Line] {
        let names = Set(snapshots.map(\.name))
        var children: [String: [InstanceSnapshot]] = [:]
        var roots: [InstanceSnapshot] = []
        for snapshot in snapshots {
            if let parent = snapshot.parent, names.contains(parent) {
                children[parent, default: []].append(snapshot)
            } else {
                roots.append(snapshot)
            }
        }
        var lines: [Line] = []
        func walk(_ nodes: [InstanceSnapshot], indent: String, isRoot: Bool) {
            for (index, node) in nodes.enumerated() {
                let last = index == nodes.count - 1
                lines.append(Line(prefix: isRoot ? "" : indent + (last ? "└─ " : "├─ "), snapshot: node))
                walk(children[node.name] ?? [], indent: isRoot ? "" : indent + (last ? "   " : "│  "), isRoot: false)
            }
        }
        walk(roots, indent: "", isRoot: true)
        return lines
    }
}
