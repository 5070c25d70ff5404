import Daemon
import Foundation
import Hummingbird
import JoistCore
import Synchronization

/// How a listener learns who is calling.
enum Authenticator: Sendable {
    /// The Unix socket (mode 0600): whoever can connect is root, the local administrator.
    case local
    /// TCP: a bearer token, with failed attempts throttled per client address.
    case tokens(TokenAuthority, AuthThrottle)

    /// Whether this is the Unix socket's authenticator: callers are on joistd's host.
    var isUnixSocket: Bool {
        switch self {
        case .local: true
        case .tokens: false
        }
    }

    func identify(_ request: Request, remoteAddress: String?) throws -> Identity {
        switch self {
        case .local:
            return .local
        case .tokens(let authority, let throttle):
            let header = request.headers[.authorization] ?? BrowserWebSocketAuth.authorization(offeredIn: request.headers)
            do {
                return try authority.authenticate(authorization: header)
            } catch {
                // Only presented credentials count as guesses; a client over the limit gets 429 for
                // every further wrong one. (Secrets are 256-bit random, so this spares the daemon and
                // its log rather than protecting the tokens.)
                guard header != nil else { throw error }
                let client = remoteAddress ?? "unknown"
                try throttle.check(client)
                throttle.recordFailure(client)
                throw error
            }
        }
    }
}

/// Refuses clients that fail authentication too often: at most `limit` failures per `window`
/// from one address, then 429 until the window has passed.
final class AuthThrottle: Sendable {
    private struct Window {
        var start: Date
        var failures: Int
    }

    let limit: Int
    let window: TimeInterval
    private let windows = Mutex<[String: Window]>([:])

    init(limit: Int = 30, window: TimeInterval = 60) {
        self.limit = limit
        self.window = window
    }

    func check(_ client: String, now: Date = Date()) throws {
        let blocked = windows.withLock { windows -> Bool in
            guard let current = windows[client] else { return false }
            if now.timeIntervalSince(current.start) >= window {
                windows.removeValue(forKey: client)
                return false
            }
            return current.failures >= limit
        }
        if blocked {
            throw JoistError(.rateLimited, "too many failed authentications from \(client); try again in a minute")
        }
    }

    func recordFailure(_ client: String, now: Date = Date()) {
        windows.withLock { windows in
            if windows.count > 10_000 { windows = windows.filter { now.timeIntervalSince($0.value.start) < window } }
            if var current = windows[client], now.timeIntervalSince(current.start) < window {
                current.failures += 1
                windows[client] = current
            } else {
                windows[client] = Window(start: now, failures: 1)
            }
        }
    }
}
