import Logging
import Synchronization

/// Routes what QEMU sends to whoever waits for it: the greeting to `connect`, each response to the
/// command with the same id, events to the event stream. Shared by the client and its channel handler.
final class QMPDispatcher: Sendable {
    private struct State {
        var nextID = 1
        var greeting: QMPGreeting?
        var greetingWaiter: CheckedContinuation<QMPGreeting, any Error>?
        var pending: [Int: CheckedContinuation<JSONValue, any Error>] = [:]
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
        /// Set once, when the connection closes; every later wait fails or returns at once.
        var closeReason: QMPError?
    }

    /// The events stream handed to the client's single consumer.
    let events: AsyncStream<QMPEvent>
    /// Watches for single events, apart from the stream.
    let eventWaiters = QMPEventWaiters()
    private let eventSink: AsyncStream<QMPEvent>.Continuation
    private let state = Mutex(State())
    private let logger: Logger

    init(logger: Logger) {
        (events, eventSink) = AsyncStream.makeStream(of: QMPEvent.self, bufferingPolicy: .unbounded)
        self.logger = logger
    }

    /// Whether the connection has closed.
    var isClosed: Bool {
        state.withLock { $0.closeReason != nil }
    }

    /// Allocates a request id.
    func makeID() -> Int {
        state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
    }

    /// Waits for the greeting; fails if the connection closes first.
    func waitForGreeting() async throws -> QMPGreeting {
        try await withCheckedThrowingContinuation { continuation in
            let outcome: Result<QMPGreeting, QMPError>? = state.withLock { state in
                if let greeting = state.greeting { return .success(greeting) }
                if let reason = state.closeReason { return .failure(reason) }
                state.greetingWaiter = continuation
                return nil
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    /// Registers a command waiting for response `id`; returns false (having resumed it with the
    /// close reason) when the connection is already closed.
    func register(id: Int, _ continuation: CheckedContinuation<JSONValue, any Error>) -> Bool {
        let reason: QMPError? = state.withLock { state in
            if let reason = state.closeReason { return reason }
            state.pending[id] = continuation
            return nil
        }
        guard let reason else { return true }
        continuation.resume(throwing: reason)
        return false
    }

    /// Fails the command waiting for `id`, if it still waits.
    func fail(id: Int, with error: any Error) {
        let continuation = state.withLock { $0.pending.removeValue(forKey: id) }
        continuation?.resume(throwing: error)
    }

    /// Fails the command waiting for `id` because its task was cancelled; a late response is ignored.
    func cancel(id: Int) {
        fail(id: id, with: CancellationError())
    }

    /// Handles one message from QEMU.
    func receive(_ message: QMPMessage) throws(QMPError) {
        switch message {
        case .greeting(let greeting):
            let waiter = try state.withLock { state throws(QMPError) in
                guard state.greeting == nil else { throw .protocolViolation("second greeting") }
                state.greeting = greeting
                defer { state.greetingWaiter = nil }
                return state.greetingWaiter
            }
            waiter?.resume(returning: greeting)
        case .success(let id, let value):
            try respond(to: id, with: .success(value))
        case .failure(let id, let errorClass, let description):
            try respond(to: id, with: .failure(.commandFailed(class: errorClass, description: description)))
        case .event(let event):
            try requireGreeting("event \(event.name)")
            eventWaiters.deliver(event)
            eventSink.yield(event)
        }
    }

    /// Marks the connection closed: fails every waiting command with `reason`, finishes the event
    /// stream and wakes everyone waiting for the close. Only the first call has an effect.
    func close(reason: QMPError) {
        let waiting = state.withLock { state -> (State, Bool) in
            guard state.closeReason == nil else { return (State(), false) }
            state.closeReason = reason
            let taken = state
            state.pending = [:]
            state.closeWaiters = []
            state.greetingWaiter = nil
            return (taken, true)
        }
        guard waiting.1 else { return }
        logger.debug("QMP connection closed", metadata: ["qmp.reason": "\(reason)"])
        waiting.0.greetingWaiter?.resume(throwing: reason)
        for continuation in waiting.0.pending.values {
            continuation.resume(throwing: reason)
        }
        eventWaiters.close(reason: reason)
        eventSink.finish()
        for waiter in waiting.0.closeWaiters {
            waiter.resume()
        }
    }

    /// Returns once the connection has closed.
    func waitUntilClosed() async {
        await withCheckedContinuation { continuation in
            let closed = state.withLock { state in
                if state.closeReason != nil { return true }
                state.closeWaiters.append(continuation)
                return false
            }
            if closed { continuation.resume() }
        }
    }

    private func requireGreeting(_ what: String) throws(QMPError) {
        let greeted = state.withLock { $0.greeting != nil }
        if !greeted { throw .protocolViolation("\(what) arrived before the greeting") }
    }

    private func respond(to id: JSONValue?, with result: Result<JSONValue, QMPError>) throws(QMPError) {
        try requireGreeting("a response")
        guard let id else {
            // QEMU answers input it could not parse without an id; nothing waits for that answer.
            logger.warning("QMP response without an id", metadata: ["qmp.result": "\(result)"])
            return
        }
        let continuation = id.intValue.flatMap { key in state.withLock { $0.pending.removeValue(forKey: key) } }
        guard let continuation else {
            // A command cancelled while waiting leaves its response without a taker.
            logger.debug("QMP response with no waiting command", metadata: ["qmp.id": "\(id)"])
            return
        }
        continuation.resume(with: result.mapError { $0 as any Error })
    }
}
