import JoistCore

/// Runs `body`, giving up with a `timeout` error after `limit`.
///
/// QMP commands have no deadline of their own, and a wedged QEMU must not hang a stop. The body is
/// cancelled when time runs out (QMP calls honour cancellation).
func withDeadline<T: Sendable>(
    _ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw JoistError(.timeout, "\(what) did not answer within \(limit)")
        }
        defer { group.cancelAll() }
        guard let result = try await group.next() else { throw CancellationError() }
        return result
    }
}
