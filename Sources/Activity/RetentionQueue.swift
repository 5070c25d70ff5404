import Foundation

/// Finished operations in the order they finished, and which to forget: those that finished more
/// than `keepFor` ago, then the oldest beyond `maxFinished`.
///
/// Finishing times are taken as appended; a wall clock stepping backwards only delays forgetting.
struct RetentionQueue: Sendable {
    let keepFor: Duration
    let maxFinished: Int
    private var finished: [(id: String, at: Date)] = []
    /// Entries before `head` are forgotten; compacted in batches so pruning stays O(1) amortised.
    private var head = 0

    init(keepFor: Duration, maxFinished: Int) {
        self.keepFor = keepFor
        self.maxFinished = max(maxFinished, 0)
    }

    /// How many finished operations are remembered.
    var count: Int { finished.count - head }

    mutating func append(_ id: String, finishedAt date: Date) {
        finished.append((id, date))
    }

    /// Forgets what has expired at `now`; returns the ids forgotten, oldest first.
    mutating func prune(now: Date) -> [String] {
        let cutoff = now.addingTimeInterval(-keepFor.seconds)
        var dropped: [String] = []
        while head < finished.count, count > maxFinished || finished[head].at < cutoff {
            dropped.append(finished[head].id)
            head += 1
        }
        if head > 64, head * 2 > finished.count {
            finished.removeFirst(head)
            head = 0
        }
        return dropped
    }
}

extension Duration {
    /// The duration in seconds, for `Date` arithmetic.
    var seconds: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
