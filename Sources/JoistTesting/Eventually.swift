/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held. For
/// effects that happen after an answer (files mirrored, processes reaped), never for timing: it returns
/// as soon as the condition holds, so the generous default only matters on a busy host.
public func eventually(
    timeout: Duration = .seconds(30),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}
