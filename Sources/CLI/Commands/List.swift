import ArgumentParser
import Foundation
import JoistAPI

/// `joist list [--format table|json|yaml|csv]`: each instance with its state and the IPv4 addresses
/// its networks' DHCP servers leased to it.
struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List instances.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Output format: table, json, yaml or csv.") var format: OutputFormat = .table

    func run() async throws {
        let instances: [Instance] = try await global.client().all(global.scoped("/1.0/instances"))
        print(try Self.render(instances, as: format), terminator: "")
    }

    static func render(_ instances: [Instance], as format: OutputFormat, now: Date = Date()) throws -> String {
        switch format {
        case .json, .yaml:
            return try OutputFormat.structured(instances, as: format)
        case .table, .csv:
            let table = Table(
                headers: ["NAME", "STATE", "IPV4", "CPUS", "MEMORY", "ACCEL", "PID", "UPTIME"],
                rows: instances.map { instance in
                    [
                        instance.name, instance.state.rawValue.uppercased(),
                        instance.addresses.isEmpty ? "-" : instance.addresses.map(\.description).joined(separator: ","),
                        String(instance.config.cpus), instance.config.memory.description, instance.accelerator?.rawValue ?? "-",
                        instance.pid.map(String.init) ?? "-", instance.uptime(now: now).map(Human.duration) ?? "-",
                    ]
                })
            return format == .csv ? table.csv() : table.aligned()
        }
    }
}
