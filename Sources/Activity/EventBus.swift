import JoistAPI
import Synchronization

/// Fans events out to in-process subscribers (the `/1.0/events` WebSockets, tests).
///
/// Publishing never waits: each subscriber has a bounded buffer that keeps the newest events, so a
/// slow or stalled reader loses its oldest events instead of holding up the daemon.
public final class EventBus: Sendable {
    /// Events each subscriber may have unread before the oldest are dropped.
    public static var defaultBufferSize: Int { 1024 }

    private struct Subscriber {
        let filter: EventFilter
        let continuation: AsyncStream<Event>.Continuation
    }

    private struct State {
        var nextID: UInt64 = 0
        var subscribers: [UInt64: Subscriber] = [:]
    }

    private let state = Mutex(State())
    private let bufferSize: Int

    public init(bufferSize: Int = EventBus.defaultBufferSize) {
        self.bufferSize = max(bufferSize, 1)
    }

    /// How many subscriptions are live.
    public var subscriberCount: Int {
        state.withLock { $0.subscribers.count }
    }

    /// Hands `event` to every subscriber whose filter matches; returns without waiting for any of them.
    public func publish(_ event: Event) {
        // Yielding under the lock keeps every subscriber's order the same as the publish order.
        // A yield never runs `onTermination`, so it cannot re-enter the lock.
        state.withLock { state in
            for subscriber in state.subscribers.values where subscriber.filter.matches(event) {
                subscriber.continuation.yield(event)
            }
        }
    }

    /// A new subscription to the events that `filter` matches, from now on.
    public func subscribe(_ filter: EventFilter) -> EventSubscription {
        let (events, continuation) = AsyncStream.makeStream(
            of: Event.self, bufferingPolicy: .bufferingNewest(bufferSize))
        let id = state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = Subscriber(filter: filter, continuation: continuation)
            return id
        }
        continuation.onTermination = { [weak self] _ in self?.remove(id) }
        return EventSubscription(id: id, events: events)
    }

    /// Ends the subscription `id`: its stream finishes after the events already buffered.
    public func unsubscribe(_ id: UInt64) {
        // Finishing runs `onTermination`, which takes the lock: do it outside.
        remove(id)?.continuation.finish()
    }

    @discardableResult
    private func remove(_ id: UInt64) -> Subscriber? {
        state.withLock { $0.subscribers.removeValue(forKey: id) }
    }
}
