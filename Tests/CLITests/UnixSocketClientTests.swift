import Foundation
import Testing

@testable import CLI

/// Without joistd, a command says so at once instead of retrying the socket.
@Suite("Unix socket client")
struct UnixSocketClientTests {
    @Test("a failed connection is not retried")
    func noRetry() {
        #expect(UnixSocketHTTPClient.configuration.connectionPool.retryConnectionEstablishment == false)
    }

    /// The time limit only catches a hang (retrying took 90 s); the answer comes in milliseconds.
    @Test("a missing socket fails the request with the fix", .timeLimit(.minutes(1)))
    func missingSocket() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("joist-missing-\(UUID().uuidString).sock").path
        let error = await #expect(throws: CLIError.self) {
            try await APIClient(socketPath: path).send(.GET, "/1.0")
        }
        #expect(error?.message == "cannot reach joistd at \(path): no such socket; is it running? (start it with `joistd`, or `make run`)")
    }
}
