import AsyncHTTPClient
import NIOCore
import NIOPosix

/// Connection failures in the words a user would use ("connection refused"), rather than NIO's.
enum ConnectionFailure {
    /// A short description of why a connection to a remote failed.
    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ECONNRESET: return "connection reset by the server"
            case EHOSTUNREACH: return "no route to host"
            case ENETUNREACH: return "network unreachable"
            case ETIMEDOUT: return "connection timed out"
            default: return "\(error)"
            }
        }
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return Self.describe(first.error)
        }
        if let error = error as? NIOConnectionError, error.dnsAError != nil || error.dnsAAAAError != nil {
            return "cannot resolve \(error.host)"
        }
        if let error = error as? ChannelError, case .connectTimeout(let timeout) = error {
            return "no connection within \(timeout.nanoseconds / 1_000_000_000)s"
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "no connection within the connect timeout"
            case .deadlineExceeded: return "no answer in time"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: return "\(error)"
            }
        }
        if isTLSFailure(error) {
            return "the TLS handshake failed (\(error))"
        }
        return "\(error)"
    }
}
