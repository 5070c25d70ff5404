import Synchronization

/// Routes what the server sends to whoever waits for it: negotiation frames to the handshake, which
/// reads them in order; reply chunks to the request with the same cookie, whose reply completes with
/// its last chunk. Shared by the client and its channel handler.
final class NBDDispatcher: Sendable {
    private struct Pending {
        var continuation: CheckedContinuation<NBDReply, any Error>
        var chunks: [NBDReplyChunk] = []
    }

    private struct State {
        var nextCookie: UInt64 = 1
        var handshakeFrames: [NBDServerFrame] = []
        var handshakeWaiter: CheckedContinuation<NBDServerFrame, any Error>?
        var pending: [UInt64: Pending] = [:]
        /// Cookies of requests whose caller gave up: their replies are read and dropped.
        var abandoned: Set<UInt64> = []
        /// Set once, when the connection closes; every later wait fails at once.
        var closeReason: NBDError?
    }

    private let state = Mutex(State())

    var isClosed: Bool { state.withLock { $0.closeReason != nil } }

    func makeCookie() -> UInt64 {
        state.withLock { state in
            defer { state.nextCookie &+= 1 }
            return state.nextCookie
        }
    }

    /// The next negotiation frame, in arrival order.
    func nextHandshakeFrame() async throws -> NBDServerFrame {
        try await withCheckedThrowingContinuation { continuation in
            let outcome: Result<NBDServerFrame, NBDError>? = state.withLock { state in
                if !state.handshakeFrames.isEmpty { return .success(state.handshakeFrames.removeFirst()) }
                if let reason = state.closeReason { return .failure(reason) }
                state.handshakeWaiter = continuation
                return nil
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    /// Registers a request waiting for the reply with `cookie`; returns false (having resumed it with
    /// the close reason) when the connection is already closed.
    func register(cookie: UInt64, _ continuation: CheckedContinuation<NBDReply, any Error>) -> Bool {
        let reason: NBDError? = state.withLock { state in
            if let reason = state.closeReason { return reason }
            state.pending[cookie] = Pending(continuation: continuation)
            return nil
        }
        guard let reason else { return true }
        continuation.resume(throwing: reason)
        return false
    }

    /// Fails the request waiting for `cookie`, if it still waits; its reply, when it comes, is dropped.
    func abandon(cookie: UInt64, with error: any Error) {
        let pending = state.withLock { state in
            let pending = state.pending.removeValue(forKey: cookie)
            if pending != nil { state.abandoned.insert(cookie) }
            return pending
        }
        pending?.continuation.resume(throwing: error)
    }

    /// Handles one frame from the server.
    func receive(_ frame: NBDServerFrame) throws(NBDError) {
        switch frame {
        case .greeting, .optionReply:
            let waiter = state.withLock { state in
                guard let waiter = state.handshakeWaiter else {
                    state.handshakeFrames.append(frame)
                    return nil as CheckedContinuation<NBDServerFrame, any Error>?
                }
                state.handshakeWaiter = nil
                return waiter
            }
            waiter?.resume(returning: frame)
        case .simpleReply(let cookie, let error):
            try complete(cookie: cookie, chunk: nil, simpleError: error)
        case .chunk(let chunk):
            try complete(cookie: chunk.cookie, chunk: chunk, simpleError: 0)
        }
    }

    /// Adds a chunk to its request (completing it when it is the last), or completes it with a simple reply.
    private func complete(cookie: UInt64, chunk: NBDReplyChunk?, simpleError: UInt32) throws(NBDError) {
        let finished: (Pending, NBDReply)? = try state.withLock { state throws(NBDError) in
            guard var pending = state.pending[cookie] else {
                guard state.abandoned.contains(cookie) else {
                    throw .protocolViolation("reply for unknown cookie \(cookie)")
                }
                if chunk?.isDone ?? true { state.abandoned.remove(cookie) }
                return nil
            }
            guard let chunk else {
                guard pending.chunks.isEmpty else { throw .protocolViolation("simple reply in the middle of cookie \(cookie)'s chunks") }
                state.pending[cookie] = nil
                return (pending, .simple(error: simpleError))
            }
            pending.chunks.append(chunk)
            if chunk.isDone {
                state.pending[cookie] = nil
                return (pending, .structured(pending.chunks))
            }
            state.pending[cookie] = pending
            return nil
        }
        if let (pending, reply) = finished { pending.continuation.resume(returning: reply) }
    }

    /// Marks the connection closed: fails every waiting request and the handshake with `reason`.
    /// Only the first call has an effect.
    func close(reason: NBDError) {
        let taken: State? = state.withLock { state in
            guard state.closeReason == nil else { return nil }
            state.closeReason = reason
            let taken = state
            state.pending = [:]
            state.handshakeWaiter = nil
            return taken
        }
        guard let taken else { return }
        taken.handshakeWaiter?.resume(throwing: reason)
        for pending in taken.pending.values { pending.continuation.resume(throwing: reason) }
    }
}
