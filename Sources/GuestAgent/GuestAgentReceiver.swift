import NIOCore
import Synchronization

/// What the socket delivers, framed into lines and handed to the one request waiting for them.
///
/// The agent answers one request at a time, in order, so there is at most one waiter. Lines that
/// arrive with nobody waiting are queued (a late answer is then skipped by the next handshake).
final class GuestAgentReceiver: Sendable {
    private struct State {
        var framer = GuestAgentFramer()
        var lines: [[UInt8]] = []
        var waiter: (id: UInt64, continuation: CheckedContinuation<[UInt8], any Error>)?
        var nextWaiterID: UInt64 = 0
        /// A failure (the deadline, a cancellation) that came before its wait began: on a loaded
        /// machine the deadline can fire first, and the wait must still end with it.
        var earlyFailure: (id: UInt64, error: any Error)?
        var closedReason: GuestAgentError?
    }

    private let state = Mutex(State())

    /// Drops everything received so far and everything up to the agent's next sentinel.
    func expectSentinel() {
        state.withLock { state in
            state.lines.removeAll()
            state.framer.expectSentinel()
        }
    }

    /// Takes bytes from the socket.
    func receive(_ bytes: ByteBufferView) {
        let delivery: (CheckedContinuation<[UInt8], any Error>, Result<[UInt8], any Error>)? = state.withLock { state in
            do {
                try state.framer.append(bytes)
            } catch {
                state.closedReason = .protocolViolation("a response longer than \(state.framer.maximumLineLength) bytes")
            }
            while let line = state.framer.nextLine() { state.lines.append(line) }
            return Self.deliver(&state)
        }
        if let (continuation, result) = delivery { continuation.resume(with: result) }
    }

    /// Ends the connection's life: the waiter, and every later one, fails with `reason`.
    func close(reason: GuestAgentError) {
        let waiter = state.withLock { state in
            if state.closedReason == nil { state.closedReason = reason }
            defer { state.waiter = nil }
            return state.waiter?.continuation
        }
        waiter?.resume(throwing: reason)
    }

    var isClosed: Bool { state.withLock { $0.closedReason != nil } }

    /// The next line, or `onTimeout` thrown once `timeout` has passed without one.
    func nextLine(timeout: Duration, eventLoop: any EventLoop, onTimeout: GuestAgentError) async throws -> [UInt8] {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        let deadline = eventLoop.scheduleTask(in: TimeAmount(timeout)) { self.fail(waiter: id, with: onTimeout) }
        defer { deadline.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let delivery = state.withLock { state -> Result<[UInt8], any Error>? in
                    state.waiter = (id, continuation)
                    if let delivered = Self.deliver(&state) { return delivered.1 }
                    guard let early = state.earlyFailure, early.id == id else { return nil }
                    state.waiter = nil
                    state.earlyFailure = nil
                    return .failure(early.error)
                }
                if let delivery { continuation.resume(with: delivery) }
            }
        } onCancel: {
            fail(waiter: id, with: CancellationError())
        }
    }

    private func fail(waiter id: UInt64, with error: any Error) {
        let continuation = state.withLock { state -> CheckedContinuation<[UInt8], any Error>? in
            guard let waiter = state.waiter, waiter.id == id else {
                // Not waiting yet: the wait fails as soon as it begins (a finished wait has a newer id after it).
                if state.nextWaiterID == id { state.earlyFailure = (id, error) }
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        continuation?.resume(throwing: error)
    }

    /// What the waiter gets now, if anything: a queued line, or the reason the connection closed.
    private static func deliver(_ state: inout State) -> (CheckedContinuation<[UInt8], any Error>, Result<[UInt8], any Error>)? {
        guard let waiter = state.waiter else { return nil }
        if !state.lines.isEmpty {
            state.waiter = nil
            return (waiter.continuation, .success(state.lines.removeFirst()))
        }
        if let reason = state.closedReason {
            state.waiter = nil
            return (waiter.continuation, .failure(reason))
        }
        return nil
    }
}
