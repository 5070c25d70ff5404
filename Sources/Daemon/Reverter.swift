import Logging

/// The undo steps of a change made of several steps: when a later step fails, `revert` runs the steps
/// already recorded in reverse order, so a failed operation leaves nothing behind.
///
/// A failing undo step is logged and the others still run: the caller throws the original error.
struct Reverter {
    private var steps: [(what: String, undo: @Sendable () async throws -> Void)] = []
    let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// Records how to undo the step that just succeeded; `what` names it in the log if undoing fails.
    mutating func add(_ what: String, _ undo: @escaping @Sendable () async throws -> Void) {
        steps.append((what, undo))
    }

    /// Undoes every recorded step, newest first.
    func revert() async {
        for step in steps.reversed() {
            do {
                try await step.undo()
            } catch {
                logger.error("could not undo a step of a failed change: \(step.what): \(error)")
            }
        }
    }
}
