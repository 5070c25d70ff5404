import NIOHTTP1

extension APIClient {
    /// Where this client's WebSockets connect, and the headers their upgrade requests carry.
    func webSocketTarget() throws -> (endpoint: WebSocketEndpoint, headers: HTTPHeaders) {
        let endpoint = try self.endpoint
        return (try endpoint.webSocketEndpoint(), endpoint.authorizationHeaders)
    }

    /// Opens the WebSocket at `path` (e.g. `/1.0/events?type=lifecycle`) on this client's endpoint,
    /// runs `body`, then closes it. Read JSON routes through `connection.textMessages`.
    ///
    /// - Throws: ``WebSocketError``, or ``CLIError`` when a remote's certificate changed.
    func withWebSocket<Result>(
        path: String,
        maxFrameSize: Int = 1 << 20,
        _ body: (WebSocketConnection) async throws -> Result
    ) async throws -> Result {
        let endpoint = try self.endpoint
        let target = try self.webSocketTarget()
        do {
            return try await WebSocketConnection.withConnection(
                to: target.endpoint, path: path, headers: target.headers, maxFrameSize: maxFrameSize, body)
        } catch let error as WebSocketError where error.code == .connectionFailed {
            if case .remote(let remote) = endpoint { try await remote.checkPinnedCertificate() }
            throw error
        }
    }
}
