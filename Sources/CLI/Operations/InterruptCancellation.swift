import Dispatch
import Foundation
import JoistAPI
import Synchronization

/// Turns Ctrl-C into a cancel request for a cancellable operation the CLI starts and follows.
///
/// Installed before the request that starts the operation, so no Ctrl-C falls between "joistd
/// answered" and "the CLI listens". A Ctrl-C before the operation is known either quits at once
/// (`quitsUntilStarted`: an upload, whose interrupted connection makes joistd discard what it
/// received) or is kept and acted on as soon as the operation is known. Once it is: the first Ctrl-C
/// asks joistd to cancel it (`DELETE /1.0/operations/ID`) and the CLI goes on waiting until the
/// operation has really ended, so whatever it leaves behind is cleaned up by then; a second one quits
/// at once.
final class InterruptCancellation: @unchecked Sendable {
    // @unchecked: `source` is set in `init` and only cancelled in `stop`; the mutable state is in a Mutex.
    private enum State {
        case starting(interrupted: Bool)
        case following(JoistAPI.Operation)
        case cancelling
    }

    private let client: APIClient
    private let state = Mutex(State.starting(interrupted: false))
    private let source: any DispatchSourceSignal

    init(client: APIClient, quitsUntilStarted: Bool) {
        self.client = client
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in self?.interrupted(quitsUntilStarted: quitsUntilStarted) }
        source.resume()
    }

    /// Follows `operation` to its end like `OperationWaiter`, cancelling it on Ctrl-C.
    func follow(_ operation: JoistAPI.Operation) async throws -> JoistAPI.Operation {
        let cancelNow = state.withLock { state -> Bool in
            if case .starting(interrupted: true) = state {
                state = .cancelling
                return true
            }
            state = .following(operation)
            return false
        }
        if cancelNow { await cancel(operation) }
        return try await OperationWaiter(client: client).wait(for: operation)
    }

    /// Restores the default Ctrl-C.
    func stop() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }

    private func interrupted(quitsUntilStarted: Bool) {
        let action = state.withLock { state -> JoistAPI.Operation?? in
            switch state {
            case .starting:
                if quitsUntilStarted { exit(130) }
                state = .starting(interrupted: true)
                return .some(nil)
            case .following(let operation):
                state = .cancelling
                return .some(operation)
            case .cancelling:
                return nil
            }
        }
        switch action {
        case .none: exit(130)
        case .some(.none): FileHandle.standardError.write(Data("\r\u{1B}[KCancelling as soon as the operation starts…\n".utf8))
        case .some(.some(let operation)): Task { await cancel(operation) }
        }
    }

    private func cancel(_ operation: JoistAPI.Operation) async {
        FileHandle.standardError.write(Data("\r\u{1B}[KCancelling: \(operation.description)… (Ctrl-C again to quit at once)\n".utf8))
        _ = try? await client.send(.DELETE, "/1.0/operations/\(APIClient.segment(operation.id))")
    }
}
