import Foundation
import JoistAPI
import Synchronization

/// Collects events from `stream` until `done` holds for what was collected, or `timeout` passes
/// (then returns what arrived so far). Ends the stream's iteration either way.
func collect(
    _ stream: AsyncStream<Event>, timeout: Duration = .seconds(30), until done: @escaping @Sendable ([Event]) -> Bool
) async -> [Event] {
    await withTaskGroup(of: [Event]?.self) { group in
        group.addTask {
            var collected: [Event] = []
            for await event in stream {
                collected.append(event)
                if done(collected) { break }
            }
            return collected
        }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        var collected: [Event] = []
        // The first child to end cancels the other; the collector always returns what it has.
        for await result in group {
            if let result { collected = result }
            group.cancelAll()
        }
        return collected
    }
}

/// Whether the last collected event is an operation that has ended.
@Sendable func endsWithFinalOperation(_ events: [Event]) -> Bool {
    events.last?.operation?.status.isFinal == true
}

/// A one-way door that work waits at until the test opens it. Deliberately deaf to task
/// cancellation, to stand in for work that only notices a cancel request when it checks.
final class Gate: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isOpen = state.withLock { state in
                if !state.isOpen { state.waiters.append(continuation) }
                return state.isOpen
            }
            if isOpen { continuation.resume() }
        }
    }
}

/// A wall clock that moves only when told.
final class ManualTime: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_700_000_000))

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// Runs `body` with a new empty directory that is removed afterwards.
func withScratchDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory.appending(path: "joist-activity-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// A non-Joist error, as a bug or a library would throw.
struct DiskOnFire: Error, CustomStringConvertible {
    var description: String { "the disk is on fire" }
}

/// `task`'s value, or nil when it has not finished within `timeout`. Unlike a task group, never
/// waits for a task that hangs, so a broken wake-up fails the test instead of stalling the run.
func value<T: Sendable>(of task: Task<T, Never>, within timeout: Duration) async -> T? {
    let slot = ContinuationSlot<T?>()
    return await withCheckedContinuation { continuation in
        slot.fill(continuation)
        Task { slot.resume(returning: await task.value) }
        Task {
            try? await Task.sleep(for: timeout)
            slot.resume(returning: nil)
        }
    }
}

/// A continuation that the first of several racers resumes; the others find it empty.
final class ContinuationSlot<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, Never>?>(nil)

    func fill(_ continuation: CheckedContinuation<T, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func resume(returning value: T) {
        continuation.withLock { $0.take() }?.resume(returning: value)
    }
}
