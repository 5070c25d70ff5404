/// Decides when an operation's progress reaches the event bus: at most once per `interval`.
///
/// An update inside the window is held, and the latest held one is published when the window ends,
/// so followers never keep a stale stage for long; work that reports every block stays cheap.
struct ProgressThrottle: Sendable {
    typealias Instant = ContinuousClock.Instant

    enum Decision: Equatable, Sendable {
        /// Publish this update now.
        case publish
        /// Hold it, and call `flush` at `deadline`.
        case hold(until: Instant)
        /// Hold it; a flush is already due and will carry it.
        case skip
    }

    let interval: Duration
    private var lastPublished: Instant?
    private var isHolding = false

    init(interval: Duration) {
        self.interval = interval
    }

    /// A new progress update arrived at `now`.
    mutating func offer(at now: Instant) -> Decision {
        if let lastPublished, now < lastPublished + interval {
            if isHolding { return .skip }
            isHolding = true
            return .hold(until: lastPublished + interval)
        }
        // Publishing now supersedes any held update, so a late flush finds nothing to do.
        lastPublished = now
        isHolding = false
        return .publish
    }

    /// The window of a held update ended at `now`: whether to publish the latest progress.
    mutating func flush(at now: Instant) -> Bool {
        guard isHolding else { return false }
        isHolding = false
        lastPublished = now
        return true
    }
}
