/// Why a QMP operation failed.
public enum QMPError: Error, Sendable, Hashable {
    /// QEMU answered the command with an error (`{"error": {"class": …, "desc": …}}`).
    case commandFailed(class: String, description: String)
    /// The connection is closed: QEMU exited, the socket was dropped, or `close()` was called.
    case disconnected
    /// The peer sent something that is not QMP; the connection was closed.
    case protocolViolation(String)
    /// An operation did not finish in time.
    case timeout(String)
    /// The socket could not be connected.
    case connectFailed(path: String, reason: String)
}

extension QMPError: CustomStringConvertible {
    /// A message that says what failed and why.
    public var description: String {
        switch self {
        case .commandFailed(let errorClass, let description):
            "QMP command failed: \(errorClass): \(description)"
        case .disconnected:
            "QMP connection closed"
        case .protocolViolation(let detail):
            "QMP protocol violation: \(detail)"
        case .timeout(let detail):
            "QMP timed out: \(detail)"
        case .connectFailed(let path, let reason):
            "failed to connect to QMP socket \(path): \(reason)"
        }
    }
}
