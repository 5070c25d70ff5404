import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

/// `joist metrics INSTANCE [--last N] [--since TIME] [--format table|json|yaml|csv]`
struct Metrics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics", abstract: "Show an instance's recent CPU, memory, disk and network samples, oldest first.",
        discussion: """
            joistd samples every running instance every 10 s (joistd --metrics-interval) and keeps an hour. CPU is in \
            percent of one host core; network rates are the guest's (RX: what reached it). - is unknown: the first sample \
            after a start, a counter that went back, QEMU too busy, or no tap NIC.
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Instance name.") var instance: String
    @Option(help: "How many of the latest samples to show (0: all of the last hour).") var last = 10
    @Option(help: "Only samples after this time (ISO 8601, e.g. 2026-12-01T10:00:00Z).") var since: String?
    @Option(help: "Output format: table, json, yaml or csv.") var format: OutputFormat = .table

    func validate() throws {
        guard last >= 0 else { throw ValidationError("--last must be 0 or more") }
    }

    func run() async throws {
        var path = "/1.0/instances/\(APIClient.segment(instance))/metrics"
        if let since { path += "?since=" + APIClient.queryValue(since) }
        var metrics = try await global.client().call(.GET, global.scoped(path), as: InstanceMetrics.self)
        if last > 0 { metrics.samples = Array(metrics.samples.suffix(last)) }
        print(try Self.render(metrics, as: format), terminator: "")
    }

    static func render(_ metrics: InstanceMetrics, as format: OutputFormat) throws -> String {
        switch format {
        case .json, .yaml:
            return try OutputFormat.structured(metrics, as: format)
        case .table, .csv:
            let raw = format == .csv
            let rows = metrics.samples.map { sample in
                [
                    sample.time.formatted(.iso8601), number(sample.cpuPercent, raw: raw, suffix: "%"),
                    bytes(sample.memoryBytes.map { Double($0) }, raw: raw, suffix: ""),
                    bytes(sample.diskReadBytesPerSecond, raw: raw, suffix: "/s"), bytes(sample.diskWriteBytesPerSecond, raw: raw, suffix: "/s"),
                    bytes(sample.networkReceiveBytesPerSecond, raw: raw, suffix: "/s"),
                    bytes(sample.networkTransmitBytesPerSecond, raw: raw, suffix: "/s"),
                ]
            }
            let headers = raw
                ? ["time", "cpuPercent", "memoryBytes", "diskReadBytesPerSecond", "diskWriteBytesPerSecond", "networkReceiveBytesPerSecond", "networkTransmitBytesPerSecond"]
                : ["TIME", "CPU", "MEMORY", "DISK-READ", "DISK-WRITE", "NET-RX", "NET-TX"]
            let table = Table(headers: headers, rows: rows)
            return raw ? table.csv() : table.aligned()
        }
    }

    /// A percentage: one decimal in tables, as measured in CSV; `-` (table) or empty (CSV) when unknown.
    private static func number(_ value: Double?, raw: Bool, suffix: String) -> String {
        guard let value else { return raw ? "" : "-" }
        return raw ? String(value) : String(format: "%.1f", value) + suffix
    }

    /// Bytes (or bytes per second) the short way in tables, whole numbers in CSV.
    private static func bytes(_ value: Double?, raw: Bool, suffix: String) -> String {
        guard let value else { return raw ? "" : "-" }
        let whole = UInt64(max(0, value.rounded()))
        return raw ? String(whole) : ByteSize(bytes: whole).approximate + suffix
    }
}
