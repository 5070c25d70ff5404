import Foundation
import JoistTesting
import Logging
import QMP

/// A logger for tests; set `JOIST_TEST_LOG=debug` to watch QMP traffic.
let testLogger: Logger = {
    var logger = Logger(label: "joist.qmp.tests")
    let level = ProcessInfo.processInfo.environment["JOIST_TEST_LOG"].flatMap(Logger.Level.init(rawValue:))
    logger.logLevel = level ?? .critical
    return logger
}()

/// Thrown when a test's helper waits too long.
struct TestTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Runs `body`, failing with `TestTimeout` if it takes longer than `timeout`, so no test hangs.
func withTimeout<T: Sendable>(
    _ what: String,
    timeout: Duration = hangTimeout,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TestTimeout(what: what)
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw TestTimeout(what: what) }
        return first
    }
}

/// Collects the next `count` events, or fewer if the stream finishes first.
func nextEvents(_ events: AsyncStream<QMPEvent>, count: Int, timeout: Duration = hangTimeout) async throws -> [QMPEvent]
{
    try await withTimeout("\(count) events", timeout: timeout) {
        var received: [QMPEvent] = []
        for await event in events {
            received.append(event)
            if received.count == count { break }
        }
        return received
    }
}

/// Every event until the stream finishes.
func remainingEvents(_ events: AsyncStream<QMPEvent>, timeout: Duration = hangTimeout) async throws -> [QMPEvent] {
    try await withTimeout("the event stream to finish", timeout: timeout) {
        var received: [QMPEvent] = []
        for await event in events { received.append(event) }
        return received
    }
}

/// Starts a fake, runs `body`, and shuts the fake down whatever happens.
func withFakeServer(
    greeting: JSONValue? = FakeQMPServer.defaultGreeting,
    handler: @escaping FakeQMPServer.Handler = FakeQMPServer.succeedAll,
    _ body: (FakeQMPServer) async throws -> Void
) async throws {
    let server = try await FakeQMPServer.start(greeting: greeting, handler: handler)
    do {
        try await body(server)
    } catch {
        await server.shutdown()
        throw error
    }
    await server.shutdown()
}

/// Starts a fake, connects a client to it, runs `body`, and tears both down whatever happens.
func withFakeQMP(
    greeting: JSONValue? = FakeQMPServer.defaultGreeting,
    handler: @escaping FakeQMPServer.Handler = FakeQMPServer.succeedAll,
    _ body: (FakeQMPServer, QMPClient) async throws -> Void
) async throws {
    try await withFakeServer(greeting: greeting, handler: handler) { server in
        let client = try await QMPClient.connect(path: server.socketPath, logger: testLogger)
        do {
            try await body(server, client)
        } catch {
            await client.close()
            throw error
        }
        await client.close()
    }
}
