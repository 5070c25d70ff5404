import JoistAPI

/// One subscriber's view of the event bus.
///
/// The stream ends after `unsubscribe`; cancelling the task that iterates it, or dropping the
/// stream, unsubscribes.
public struct EventSubscription: Sendable {
    /// What `EventBus.unsubscribe` takes.
    public let id: UInt64
    /// The matching events in publish order, minus the oldest when more than the buffer are unread.
    public let events: AsyncStream<Event>
}
