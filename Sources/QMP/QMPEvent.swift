import Foundation

/// An asynchronous event QEMU sent (SHUTDOWN, STOP, RESUME, RESET, GUEST_PANICKED, …).
public struct QMPEvent: Sendable, Hashable {
    /// The event name, as QEMU spells it (`"SHUTDOWN"`).
    public let name: String
    /// The event's `data` member; an empty object when QEMU sent none.
    public let data: JSONValue
    /// When QEMU emitted the event, from its `timestamp` member.
    public let timestamp: Date?

    /// Creates an event.
    public init(name: String, data: JSONValue = [:], timestamp: Date? = nil) {
        self.name = name
        self.data = data
        self.timestamp = timestamp
    }
}
