/// What Ctrl-C means at each moment of a command that starts, transfers and follows long actions, as a
/// pure state machine: events in, actions out, no signals and no I/O (`InterruptCancellation` runs it).
///
/// The rules: the first Ctrl-C cancels whatever is in progress (`Target`); when nothing is yet, it is
/// remembered, and what begins next is cancelled at once, so no Ctrl-C is lost between "joistd answered"
/// and "the CLI follows the operation". Once interrupted, everything that begins is cancelled. A second
/// Ctrl-C quits at once.
struct InterruptState<Target> {
    /// What to do about a Ctrl-C.
    enum Action {
        /// Cancel this, and wait for it to end.
        case cancel(Target)
        /// Nothing to cancel yet: say so, and cancel what begins next.
        case remember
        /// Quit now.
        case quit
    }

    private(set) var interrupted = false
    private(set) var current: Target?

    /// A Ctrl-C arrived.
    mutating func interrupt() -> Action {
        guard !interrupted else { return .quit }
        interrupted = true
        guard let current else { return .remember }
        return .cancel(current)
    }

    /// `target` is now in progress; returns it when it must be cancelled at once (Ctrl-C came earlier).
    mutating func begin(_ target: Target) -> Target? {
        current = target
        return interrupted ? target : nil
    }

    /// What was in progress has ended.
    mutating func end() {
        current = nil
    }
}
