import Foundation
import JoistAPI
import Testing

@testable import CLI

@Suite("joist metrics and joist resources")
struct MetricsCommandTests {
    static let time = Date(timeIntervalSince1970: 1_796_000_000)
    static let metrics = InstanceMetrics(
        intervalSeconds: 10,
        samples: [
            InstanceMetricSample(time: time, memoryBytes: 200 << 20),
            InstanceMetricSample(
                time: time.addingTimeInterval(10), cpuPercent: 112.25, memoryBytes: 201 << 20, diskReadBytesPerSecond: 1_572_864,
                diskWriteBytesPerSecond: 0, networkReceiveBytesPerSecond: 42.4, networkTransmitBytesPerSecond: nil),
        ])

    @Test("the table shows unknown figures as -, sizes the short way; CSV has whole numbers and empty cells")
    func metricsTable() throws {
        let table = try Metrics.render(Self.metrics, as: .table)
        let lines = table.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("TIME") && lines[0].contains("NET-TX"))
        #expect(lines[1].contains("200MiB") && lines[1].split(separator: " ").filter { $0 == "-" }.count == 5, "\(lines[1])")
        #expect(lines[2].contains("112.2%") || lines[2].contains("112.3%"), "\(lines[2])")
        #expect(lines[2].contains("1.5MiB/s") && lines[2].contains("42B/s"), "\(lines[2])")
        let csv = try Metrics.render(Self.metrics, as: .csv).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(csv[0] == "time,cpuPercent,memoryBytes,diskReadBytesPerSecond,diskWriteBytesPerSecond,networkReceiveBytesPerSecond,networkTransmitBytesPerSecond")
        #expect(csv[1].hasSuffix(",,\(200 << 20),,,,"), "\(csv[1])")
        #expect(csv[2].hasSuffix(",112.25,\(201 << 20),1572864,0,42,"), "\(csv[2])")
    }

    @Test("JSON keeps null figures")
    func metricsJSON() throws {
        let json = try Metrics.render(Self.metrics, as: .json)
        #expect(json.contains("\"cpuPercent\" : null"), "\(json)")
        #expect(json.contains("\"intervalSeconds\" : 10"))
    }

    @Test("--last takes a count; csv is not a resources format")
    func options() throws {
        #expect(throws: (any Error).self) { try Metrics.parse(["vm1", "--last", "-1"]) }
        #expect(try Metrics.parse(["vm1", "--last", "0"]).last == 0)
        #expect(throws: (any Error).self) { try Resources.parse(["--format", "csv"]) }
    }

    @Test("resources: CPUs, memory, uptime, and a row per pool with its share in use")
    func resourcesTable() throws {
        let resources = ServerResources(
            cpu: .init(count: 2, usagePercent: nil, loadAverage: .init(one: 0.5, five: 1, fifteen: 2)),
            memory: .init(totalBytes: 8 << 30, availableBytes: 6 << 30, usedBytes: 2 << 30),
            storagePools: [.init(name: "default", driver: .dir, totalBytes: 100 << 30, usedBytes: 25 << 30, availableBytes: 70 << 30)],
            uptimeSeconds: 3700)
        let text = try Resources.render(resources, as: .table)
        #expect(text.contains("CPUs:    2, - in use, load 0.50 1.00 2.00"), "\(text)")
        #expect(text.contains("Memory:  2GiB used of 8GiB, 6GiB available"), "\(text)")
        #expect(text.contains("Uptime:  1h1m"), "\(text)")
        #expect(text.contains("default  dir     100GiB  25GiB  70GiB      25%"), "\(text)")
    }
}
