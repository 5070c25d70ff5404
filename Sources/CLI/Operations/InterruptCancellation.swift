import Dispatch
import Foundation
import JoistAPI
import Synchronization

/// Ctrl-C for the commands that start, transfer and follow long actions: it cancels them instead of
/// abandoning them half done. The CLI's one SIGINT handler; its rules are `InterruptState`.
///
/// A command installs it (`during`) before the request that starts its operation, so no Ctrl-C falls
/// between "joistd answered" and "the CLI listens". Inside, `transfer` runs an upload or a download in a
/// task that the first Ctrl-C cancels (an interrupted upload makes joistd discard what it received), and
/// `follow` waits for an operation, asking joistd to cancel it (`DELETE /1.0/operations/ID`) on the first
/// Ctrl-C and waiting on until it has really ended, so whatever it leaves behind is cleaned up by then.
/// A Ctrl-C that comes while a request is in flight is acted on as soon as there is something to cancel.
/// A second Ctrl-C quits at once.
final class InterruptCancellation: @unchecked Sendable {
    // @unchecked: `source` is set in `init` and only cancelled in `stop`; the mutable state is in a Mutex.

    /// What a Ctrl-C cancels.
    enum Target: Sendable {
        /// An upload or a download the CLI runs: cancelling its task ends the connection.
        case transfer(cancel: @Sendable () -> Void)
        /// An operation joistd runs.
        case operation(JoistAPI.Operation)
    }

    private let client: APIClient
    private let state = Mutex(InterruptState<Target>())
    private let source: any DispatchSourceSignal

    private init(client: APIClient) {
        self.client = client
        // A Dispatch source, not a C handler: the handler runs on a queue and may start Swift tasks.
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in self?.interrupted() }
        source.resume()
    }

    /// Runs `body` with Ctrl-C cancelling what it starts through `client`; the default Ctrl-C is back after.
    static func during<T>(_ client: APIClient, _ body: (InterruptCancellation) async throws -> T) async throws -> T {
        let interrupts = InterruptCancellation(client: client)
        defer { interrupts.stop() }
        return try await body(interrupts)
    }

    /// Runs an upload or a download in a task that the first Ctrl-C cancels; once interrupted, it fails
    /// with "interrupted", whatever error the cut connection gave.
    @discardableResult
    func transfer<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        let cancelNow = state.withLock { $0.begin(.transfer(cancel: { task.cancel() })) }
        defer { state.withLock { $0.end() } }
        if let cancelNow { act(on: cancelNow) }
        do {
            return try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
        } catch where state.withLock({ $0.interrupted }) {
            throw CLIError("interrupted", code: "cancelled")
        }
    }

    /// Follows `operation` to its end like `OperationWaiter`, asking joistd to cancel it on Ctrl-C.
    func follow(_ operation: JoistAPI.Operation) async throws -> JoistAPI.Operation {
        let cancelNow = state.withLock { $0.begin(.operation(operation)) }
        defer { state.withLock { $0.end() } }
        if cancelNow != nil { await cancel(operation) }
        return try await OperationWaiter(client: client).wait(for: operation)
    }

    /// Restores the default Ctrl-C.
    private func stop() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }

    private func interrupted() {
        switch state.withLock({ $0.interrupt() }) {
        case .quit: exit(130)
        case .remember: Self.say("Cancelling as soon as the operation starts… (Ctrl-C again to quit at once)")
        case .cancel(let target): act(on: target)
        }
    }

    private func act(on target: Target) {
        switch target {
        case .transfer(let cancel):
            Self.say("Interrupted: stopping the transfer… (Ctrl-C again to quit at once)")
            cancel()
        case .operation(let operation):
            Task { await cancel(operation) }
        }
    }

    private func cancel(_ operation: JoistAPI.Operation) async {
        Self.say("Cancelling: \(operation.description)… (Ctrl-C again to quit at once)")
        _ = try? await client.send(.DELETE, "/1.0/operations/\(APIClient.segment(operation.id))")
    }

    /// A line on standard error, over the progress line if one is drawn.
    private static func say(_ line: String) {
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)\n".utf8))
    }
}
