import Foundation
import JoistAPI

/// TLS against the Unix socket: requests per second of `GET /1.0` with a bearer token, the same
/// number of clients on each, in interleaved rounds.
struct TransportBench {
    let unix: BenchClient
    let tls: BenchClient
    let rounds: Int
    static let clients = 4
    static let window: Duration = .seconds(1)

    struct Result: Codable {
        var clients: Int
        var secondsPerRound: Double
        var unixRequestsPerSecond: [Double]
        var tlsRequestsPerSecond: [Double]
        var medianUnix: Double { JoistBench.median(unixRequestsPerSecond) }
        var medianTLS: Double { JoistBench.median(tlsRequestsPerSecond) }
    }

    func run() async throws -> Result {
        // The Unix socket ignores the token (every caller there is `local`); the TLS listener must
        // take it as the token's identity.
        try await expectIdentity(unix, "local")
        try await expectIdentity(tls, "bench")
        for client in [unix, tls] { _ = try await requests(on: client, for: .milliseconds(300)) }
        var result = Result(
            clients: Self.clients, secondsPerRound: Self.window.seconds, unixRequestsPerSecond: [], tlsRequestsPerSecond: [])
        for round in 0..<rounds {
            for useTLS in round % 2 == 0 ? [false, true] : [true, false] {
                let count = try await requests(on: useTLS ? tls : unix, for: Self.window)
                let rate = Double(count) / Self.window.seconds
                if useTLS { result.tlsRequestsPerSecond.append(rate) } else { result.unixRequestsPerSecond.append(rate) }
                progress("TLS vs Unix round \(round + 1)/\(rounds), \(useTLS ? "TLS" : "Unix"): \(Int(rate)) requests/s")
            }
        }
        return result
    }

    /// `GET /1.0` as fast as `clients` clients go, each waiting for its answer; the number answered.
    private func requests(on client: BenchClient, for window: Duration) async throws -> Int {
        let end = ContinuousClock.now + window
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<Self.clients {
                group.addTask {
                    var count = 0
                    while ContinuousClock.now < end {
                        try await client.send(.GET, "/1.0")
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
    }

    private func expectIdentity(_ client: BenchClient, _ identity: String) async throws {
        let info = try await client.get("/1.0", as: ServerInfo.self)
        guard info.identity == identity else { throw BenchError("GET /1.0 answered as \(info.identity), expected \(identity)") }
    }
}
