/// Why an NBD operation failed.
public enum NBDError: Error, Sendable, Hashable {
    /// The socket could not be connected.
    case connectFailed(address: String, reason: String)
    /// The server refused an option during negotiation (`what` names it; `reply` is the protocol's error).
    case optionRefused(what: String, reply: String)
    /// The server answered a command with an error (`errno` by name, and the server's message if any).
    case commandFailed(what: String, errno: String, message: String)
    /// The peer sent something that breaks the protocol; the connection was closed.
    case protocolViolation(String)
    /// The connection is closed: the server went away, or `close()` was called.
    case disconnected
    /// An operation did not finish in time; the connection was closed, since its state is unknown.
    case timeout(String)
    /// The request is outside what the export allows (beyond its end, or larger than its block size).
    case invalidRequest(String)
}

extension NBDError: CustomStringConvertible {
    /// A message that says what failed and why.
    public var description: String {
        switch self {
        case .connectFailed(let address, let reason): "failed to connect to NBD server at \(address): \(reason)"
        case .optionRefused(let what, let reply): "NBD server refused \(what): \(reply)"
        case .commandFailed(let what, let errno, let message):
            message.isEmpty ? "NBD \(what) failed: \(errno)" : "NBD \(what) failed: \(errno): \(message)"
        case .protocolViolation(let detail): "NBD protocol violation: \(detail)"
        case .disconnected: "NBD connection closed"
        case .timeout(let detail): "NBD timed out: \(detail)"
        case .invalidRequest(let detail): "invalid NBD request: \(detail)"
        }
    }
}
