import Synchronization

/// A value shared between the event loop and the session's tasks, guarded by a mutex.
///
/// `Mutex` cannot be copied, so a class gives the console's few shared values reference identity.
final class ConsoleLockedValue<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    /// A box holding `value`.
    init(_ value: Value) {
        self.mutex = Mutex(value)
    }

    /// The current value.
    var value: Value {
        self.mutex.withLock { $0 }
    }

    /// Runs `body` with exclusive access to the value.
    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        self.mutex.withLock { body(&$0) }
    }
}
