import Foundation
import JoistAPI

/// B2: the control plane over the Unix socket. B2a creates and deletes stopped instances, one client
/// against eight in interleaved rounds; B2b times the full listing with 1,000 and 10,000 defined.
struct ControlPlaneBench {
    let client: BenchClient
    /// Any existing file passes as a kernel for an instance that is never started.
    let kernel: String
    /// Instances created and deleted per side of a B2a round.
    let count: Int
    let rounds: Int
    /// Concurrent clients of B2a's second side.
    static let concurrentClients = 8
    /// Clients used to define B2b's 10,000 instances (setup, reported but not a target).
    static let setupClients = 16
    /// Listing requests timed at each size.
    static let listRequests = 50

    struct Churn: Codable {
        var clients: Int
        var createsPerSecond: [Double]
        var deletesPerSecond: [Double]
        var medianCreatesPerSecond: Double { JoistBench.median(createsPerSecond) }
        var medianDeletesPerSecond: Double { JoistBench.median(deletesPerSecond) }
    }

    struct Listing: Codable {
        var instances: Int
        var requests: Int
        var p50: Double
        var p99: Double
        var max: Double
        /// Bytes of one answer.
        var bytes: Int
    }

    struct Result: Codable {
        var count: Int
        /// `GET /1.0` round trips per second from one client, once per round: the floor that the HTTP
        /// stack (client and server on the same cores) puts under every one-client rate.
        var emptyRequestsPerSecond: [Double]
        var oneClient: Churn
        var concurrent: Churn
        var lists: [Listing]
        /// Defining B2b's 10,000 instances with `setupClients` clients, and deleting them again.
        var bulkCreatesPerSecond: Double
        var bulkDeletesPerSecond: Double
    }

    func run() async throws -> Result {
        progress("B2a: warm-up")
        _ = try await churn(clients: 1, count: min(count, 100))
        var one = Churn(clients: 1, createsPerSecond: [], deletesPerSecond: [])
        var many = Churn(clients: Self.concurrentClients, createsPerSecond: [], deletesPerSecond: [])
        var empty: [Double] = []
        for round in 0..<rounds {
            empty.append(try await emptyRequests(for: .seconds(1)))
            // Interleaved, alternating which side goes first, so drift hits both sides.
            for clients in round % 2 == 0 ? [1, Self.concurrentClients] : [Self.concurrentClients, 1] {
                let rates = try await churn(clients: clients, count: count)
                if clients == 1 {
                    one.createsPerSecond.append(rates.creates)
                    one.deletesPerSecond.append(rates.deletes)
                } else {
                    many.createsPerSecond.append(rates.creates)
                    many.deletesPerSecond.append(rates.deletes)
                }
                progress(
                    "B2a round \(round + 1)/\(rounds), \(clients) client(s): \(Int(rates.creates)) creates/s, \(Int(rates.deletes)) deletes/s")
            }
        }

        let small = 1_000
        let large = 10_000
        var lists: [Listing] = []
        let first = try await timed { try await createMany(prefix: "l", range: 0..<small) }
        lists.append(try await listing(expecting: small))
        let rest = try await timed { try await createMany(prefix: "l", range: small..<large) }
        lists.append(try await listing(expecting: large))
        let bulkDelete = try await timed { try await deleteMany(prefix: "l", range: 0..<large) }
        try await expectInstances(0)
        return Result(
            count: count, emptyRequestsPerSecond: empty, oneClient: one, concurrent: many, lists: lists,
            bulkCreatesPerSecond: Double(large) / (first + rest),
            bulkDeletesPerSecond: Double(large) / bulkDelete)
    }

    /// Only B2a's one-client side: a warm-up, then `rounds` rounds (for a second file system).
    func oneClientChurn() async throws -> Churn {
        _ = try await churn(clients: 1, count: min(count, 100))
        var one = Churn(clients: 1, createsPerSecond: [], deletesPerSecond: [])
        for round in 0..<rounds {
            let rates = try await churn(clients: 1, count: count)
            one.createsPerSecond.append(rates.creates)
            one.deletesPerSecond.append(rates.deletes)
            progress("B2a (second file system) round \(round + 1)/\(rounds): \(Int(rates.creates)) creates/s, \(Int(rates.deletes)) deletes/s")
        }
        return one
    }

    /// Creates `count` instances, then deletes them (each delete waits for its operation), with
    /// `clients` concurrent clients; returns both rates.
    func churn(clients: Int, count: Int) async throws -> (creates: Double, deletes: Double) {
        try await expectInstances(0)
        let client = self.client
        let kernel = self.kernel
        let create = try await timed {
            try await concurrently(clients) { worker in
                for index in stride(from: worker, to: count, by: clients) {
                    try await client.createInstance(Self.stopped("b\(index)", kernel: kernel))
                }
            }
        }
        try await expectInstances(count)
        let delete = try await timed {
            try await concurrently(clients) { worker in
                for index in stride(from: worker, to: count, by: clients) {
                    try await client.deleteInstance("b\(index)")
                }
            }
        }
        return (Double(count) / create, Double(count) / delete)
    }

    /// `GET /1.0` one after another from one client for `window`; answers per second.
    func emptyRequests(for window: Duration) async throws -> Double {
        let start = ContinuousClock.now
        var count = 0
        while ContinuousClock.now - start < window {
            try await client.send(.GET, "/1.0")
            count += 1
        }
        let rate = Double(count) / (ContinuousClock.now - start).seconds
        progress("B2a: \(Int(rate)) empty requests/s, 1 client")
        return rate
    }

    /// A stopped instance's create request: the smallest that the daemon accepts.
    static func stopped(_ name: String, kernel: String) -> InstanceCreate {
        InstanceCreate(name: name, kernel: kernel, memory: "64MiB")
    }

    func createMany(prefix: String, range: Range<Int>) async throws {
        let client = self.client
        let kernel = self.kernel
        let clients = Self.setupClients
        progress("B2b: creating \(prefix)\(range.lowerBound)…\(prefix)\(range.upperBound - 1)")
        try await concurrently(clients) { worker in
            for index in stride(from: range.lowerBound + worker, to: range.upperBound, by: clients) {
                try await client.createInstance(Self.stopped("\(prefix)\(index)", kernel: kernel))
            }
        }
    }

    func deleteMany(prefix: String, range: Range<Int>) async throws {
        let client = self.client
        let clients = Self.setupClients
        progress("B2b: deleting \(range.count) instances")
        try await concurrently(clients) { worker in
            for index in stride(from: range.lowerBound + worker, to: range.upperBound, by: clients) {
                try await client.deleteInstance("\(prefix)\(index)")
            }
        }
    }

    /// Times `GET /1.0/instances?limit=10000` (the whole answer received), after three untimed
    /// requests; every answer is decoded afterwards, outside the timing, and must hold `expected` items.
    func listing(expecting expected: Int) async throws -> Listing {
        let path = "/1.0/instances?limit=\(Page<Instance>.maxLimit)"
        for _ in 0..<3 { try await client.send(.GET, path) }
        var samples = Samples()
        var bytes = 0
        for _ in 0..<Self.listRequests {
            let start = ContinuousClock.now
            let answer = try await client.send(.GET, path)
            samples.append((ContinuousClock.now - start).seconds)
            bytes = answer.readableBytes
            let page = try BenchClient.decode(Page<Instance>.self, from: answer, context: "GET \(path)")
            guard page.items.count == expected, page.next == nil else {
                throw BenchError("GET \(path): \(page.items.count) items (next: \(page.next ?? "none")), expected \(expected)")
            }
        }
        progress("B2b: list of \(expected): p50 \(millis(samples.p50)) ms, p99 \(millis(samples.p99)) ms, \(bytes / 1024) KiB")
        return Listing(instances: expected, requests: samples.count, p50: samples.p50, p99: samples.p99, max: samples.max, bytes: bytes)
    }

    /// Checks that the daemon holds exactly `expected` instances (so no round leaks into the next).
    func expectInstances(_ expected: Int) async throws {
        let page = try await client.get("/1.0/instances?limit=\(Page<Instance>.maxLimit)", as: Page<Instance>.self)
        guard page.items.count == expected else {
            throw BenchError("expected \(expected) instances, the daemon lists \(page.items.count)")
        }
    }
}
