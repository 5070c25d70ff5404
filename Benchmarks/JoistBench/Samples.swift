import Foundation

/// Latencies in seconds, with the percentiles the reports quote.
struct Samples: Sendable {
    private(set) var values: [Double] = []

    init(_ values: [Double] = []) { self.values = values }

    mutating func append(_ value: Double) { values.append(value) }
    mutating func append(contentsOf other: Samples) { values.append(contentsOf: other.values) }

    var count: Int { values.count }

    /// The nearest-rank percentile (`p` in 0…100); NaN when empty.
    func percentile(_ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(sorted.count, Swift.max(1, rank)) - 1]
    }

    var p50: Double { percentile(50) }
    var p99: Double { percentile(99) }
    var max: Double { values.max() ?? .nan }
}

/// Seconds that `body` takes.
func timed(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    return (ContinuousClock.now - start).seconds
}

/// Runs `body(worker)` for `workers` concurrent workers and waits for all of them; the first error wins.
func concurrently(_ workers: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<workers { group.addTask { try await body(worker) } }
        try await group.waitForAll()
    }
}

/// Progress on stderr, so stdout carries only the table.
func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Seconds as milliseconds with one decimal.
func millis(_ seconds: Double) -> String { String(format: "%.1f", seconds * 1000) }
