import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

/// `joist resources [--format table|json|yaml]`
struct Resources: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resources", abstract: "Show the host's CPUs, memory, storage pools and uptime, and how much of them is in use.",
        discussion: "CPU use is over joistd's last metrics interval (10 s by default); it shows - until joistd has sampled twice.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Output format: table, json or yaml.") var format: OutputFormat = .table

    func validate() throws {
        if format == .csv { throw ValidationError("joist resources prints table, json or yaml") }
    }

    func run() async throws {
        let resources = try await global.client().call(.GET, "/1.0/resources", as: ServerResources.self)
        print(try Self.render(resources, as: format), terminator: "")
    }

    static func render(_ resources: ServerResources, as format: OutputFormat) throws -> String {
        guard format == .table else { return try OutputFormat.structured(resources, as: format) }
        let cpu = resources.cpu, memory = resources.memory
        let load = [cpu.loadAverage.one, cpu.loadAverage.five, cpu.loadAverage.fifteen].map { String(format: "%.2f", $0) }
        var text = """
            CPUs:    \(cpu.count), \(cpu.usagePercent.map { String(format: "%.1f%%", $0) } ?? "-") in use, load \(load.joined(separator: " "))
            Memory:  \(ByteSize(bytes: memory.usedBytes).approximate) used of \(ByteSize(bytes: memory.totalBytes).approximate), \(ByteSize(bytes: memory.availableBytes).approximate) available
            Uptime:  \(Human.duration(resources.uptimeSeconds))

            """
        let rows = resources.storagePools.map { pool in
            [
                pool.name, pool.driver.rawValue, ByteSize(bytes: pool.totalBytes).approximate, ByteSize(bytes: pool.usedBytes).approximate,
                ByteSize(bytes: pool.availableBytes).approximate, Percent.of(pool.usedBytes, pool.totalBytes),
            ]
        }
        text += Table(headers: ["POOL", "DRIVER", "SIZE", "USED", "AVAILABLE", "USE"], rows: rows).aligned()
        return text
    }
}

/// Shares as short percentages.
enum Percent {
    static func of(_ part: UInt64, _ whole: UInt64) -> String {
        whole == 0 ? "-" : String(format: "%.0f%%", Double(part) / Double(whole) * 100)
    }
}
