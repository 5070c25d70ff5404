import Foundation
import Testing

/// Marks tests that boot TCG guests, so that only as many of them run at once as the host has cores.
///
/// Swift Testing starts every test at once. A guest under TCG needs a whole core to boot in seconds; a
/// dozen booting together on a two-core host each take minutes and miss their deadlines. Tests that
/// boot guests therefore take slots from one process-wide pool; everything else runs alongside.
/// A suite's `.timeLimit` counts the wait for its slots too, so guest-booting suites give 15 minutes:
/// enough to queue behind the others on two cores, still short enough to catch a hang.
public struct GuestBootingTrait: TestTrait, SuiteTrait, TestScoping {
    /// How many guests the test runs at the same time (capped at the pool's size).
    public let guests: Int

    /// Applied to a suite, the slots are taken by each of its test cases rather than by the suite.
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await GuestSlots.shared.withSlots(guests, function)
    }
}

extension Trait where Self == GuestBootingTrait {
    /// The test boots one guest at a time.
    public static var bootsGuests: Self { GuestBootingTrait(guests: 1) }

    /// The test keeps `count` guests running together.
    public static func bootsGuests(_ count: Int) -> Self { GuestBootingTrait(guests: count) }
}

/// A counting semaphore, first come first served, sized by the host's cores.
actor GuestSlots {
    static let shared = GuestSlots(capacity: max(1, ProcessInfo.processInfo.activeProcessorCount))

    private let capacity: Int
    private var free: Int
    private var waiting: [(count: Int, resume: CheckedContinuation<Void, Never>)] = []

    init(capacity: Int) {
        self.capacity = capacity
        free = capacity
    }

    func withSlots(_ requested: Int, _ body: @Sendable () async throws -> Void) async throws {
        let count = min(max(1, requested), capacity)
        await acquire(count)
        do {
            try await body()
        } catch {
            release(count)
            throw error
        }
        release(count)
    }

    private func acquire(_ count: Int) async {
        if waiting.isEmpty, free >= count {
            free -= count
            return
        }
        await withCheckedContinuation { waiting.append((count, $0)) }
    }

    private func release(_ count: Int) {
        free += count
        while let next = waiting.first, free >= next.count {
            waiting.removeFirst()
            free -= next.count
            next.resume.resume()
        }
    }
}
