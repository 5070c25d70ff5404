import Foundation
import JoistAPI

/// Host resources and instance metrics on the wire: unknown figures are null, not missing.
enum MetricsSamples {
    static let time = Date(timeIntervalSince1970: 1_796_000_000)

    static let all: [WireSample] = [
        WireSample(
            "host resources", "ServerResources",
            ServerResources(
                cpu: .init(count: 2, usagePercent: 37.5, loadAverage: .init(one: 0.43, five: 1.02, fifteen: 1.97)),
                memory: .init(totalBytes: 25_325_268_992, availableBytes: 24_460_275_712, usedBytes: 864_993_280),
                storagePools: [
                    .init(name: "default", driver: .dir, totalBytes: 105_089_261_568, usedBytes: 41_248_133_120, availableBytes: 58_458_353_664),
                    .init(name: "fast", driver: .btrfs, totalBytes: 0, usedBytes: 0, availableBytes: 0),
                ],
                uptimeSeconds: 16873.68)),
        WireSample(
            "host resources before the second reading", "ServerResources",
            ServerResources(
                cpu: .init(count: 1, usagePercent: nil, loadAverage: .init(one: 0, five: 0, fifteen: 0)),
                memory: .init(totalBytes: 1 << 30, availableBytes: 1 << 29, usedBytes: 1 << 29), storagePools: [], uptimeSeconds: 3)),
        WireSample(
            "instance metrics", "InstanceMetrics",
            InstanceMetrics(
                intervalSeconds: 10,
                samples: [
                    InstanceMetricSample(time: time, memoryBytes: 201_326_592),
                    InstanceMetricSample(
                        time: time.addingTimeInterval(10), cpuPercent: 112.5, memoryBytes: 203_423_744, diskReadBytesPerSecond: 1_677_721.6,
                        diskWriteBytesPerSecond: 0, networkReceiveBytesPerSecond: 42.3, networkTransmitBytesPerSecond: 96.1),
                ])),
        WireSample("no samples yet", "InstanceMetrics", InstanceMetrics(intervalSeconds: 1, samples: [])),
        WireSample("first sample after a start", "InstanceMetricSample", InstanceMetricSample(time: time)),
        WireSample(
            "full sample", "InstanceMetricSample",
            InstanceMetricSample(
                time: time, cpuPercent: 0, memoryBytes: 0, diskReadBytesPerSecond: 0, diskWriteBytesPerSecond: 0,
                networkReceiveBytesPerSecond: 0, networkTransmitBytesPerSecond: 0)),
    ]
}
