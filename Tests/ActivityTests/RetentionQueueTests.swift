@testable import Activity
import Foundation
import Testing

@Suite("RetentionQueue")
struct RetentionQueueTests {
    let base = Date(timeIntervalSince1970: 1_700_000_000)

    @Test("forgets operations finished longer ago than the retention, oldest first")
    func age() {
        var queue = RetentionQueue(keepFor: .seconds(60), maxFinished: 100)
        queue.append("a", finishedAt: base)
        queue.append("b", finishedAt: base + 30)
        queue.append("c", finishedAt: base + 90)
        #expect(queue.prune(now: base + 60).isEmpty)
        #expect(queue.prune(now: base + 91) == ["a", "b"])
        #expect(queue.count == 1)
        #expect(queue.prune(now: base + 151) == ["c"])
        #expect(queue.count == 0)
    }

    @Test("keeps at most maxFinished, dropping the oldest, across many appends")
    func count() {
        var queue = RetentionQueue(keepFor: .seconds(3600), maxFinished: 10)
        var dropped: [String] = []
        for index in 0..<500 {
            queue.append("op-\(index)", finishedAt: base)
            dropped += queue.prune(now: base)
        }
        #expect(queue.count == 10)
        #expect(dropped == (0..<490).map { "op-\($0)" })
    }

    @Test("maxFinished zero forgets every finished operation at the next prune")
    func zero() {
        var queue = RetentionQueue(keepFor: .seconds(3600), maxFinished: 0)
        queue.append("a", finishedAt: base)
        #expect(queue.prune(now: base) == ["a"])
    }
}
