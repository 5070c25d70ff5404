@testable import Activity
import Testing

@Suite("ProgressThrottle")
struct ProgressThrottleTests {
    enum Step {
        case offer(milliseconds: Int)
        case flush(milliseconds: Int)
    }

    /// What a 250 ms throttle answers to `steps`, in words: `publish`, `hold until N`, `skip`,
    /// `flushed`, `nothing to flush`.
    static func run(_ steps: [Step]) -> [String] {
        let start = ContinuousClock.now
        var throttle = ProgressThrottle(interval: .milliseconds(250))
        return steps.map { step in
            switch step {
            case .offer(let milliseconds):
                switch throttle.offer(at: start + .milliseconds(milliseconds)) {
                case .publish: "publish"
                case .hold(let deadline): "hold until \(Int((deadline - start) / .milliseconds(1)))"
                case .skip: "skip"
                }
            case .flush(let milliseconds):
                throttle.flush(at: start + .milliseconds(milliseconds)) ? "flushed" : "nothing to flush"
            }
        }
    }

    @Test("publishes the first update, holds the next until the window ends, and skips the rest")
    func window() {
        let answers = Self.run([
            .offer(milliseconds: 0), .offer(milliseconds: 100), .offer(milliseconds: 200), .flush(milliseconds: 250),
            // The flush opened a new window.
            .offer(milliseconds: 300), .flush(milliseconds: 500), .flush(milliseconds: 600),
            .offer(milliseconds: 800),
        ])
        #expect(answers == [
            "publish", "hold until 250", "skip", "flushed",
            "hold until 500", "flushed", "nothing to flush",
            "publish",
        ])
    }

    @Test("an update published after the window supersedes a held one, so a late flush does nothing")
    func lateFlush() {
        let answers = Self.run([
            .offer(milliseconds: 0), .offer(milliseconds: 100), .offer(milliseconds: 300), .flush(milliseconds: 310),
        ])
        #expect(answers == ["publish", "hold until 250", "publish", "nothing to flush"])
    }
}
