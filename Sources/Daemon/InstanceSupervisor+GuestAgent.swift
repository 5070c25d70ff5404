import Foundation
import GuestAgent
public import JoistAPI
import JoistCore
import Logging
import QEMUDriver

/// Commands run in the guest, files copied in and out, and what the guest says about itself, all
/// through the QEMU guest agent on the instance's virtio-serial port.
///
/// A guest without an agent is found out quickly: QEMU tells whether anything in the guest opened
/// the port, and otherwise the handshake gives up after `agentSyncTimeout`.
extension InstanceSupervisor {
    /// How long the agent has to answer the handshake of a request.
    static let agentSyncTimeout = Duration.seconds(3)
    /// The default and the longest time a command may run.
    public static let defaultExecTimeout = 30
    public static let maximumExecTimeout = 86_400

    /// Runs a command in the guest and returns how it ended.
    public func exec(_ request: InstanceExec) async throws -> InstanceExecResult {
        let command: GuestCommand
        do {
            command = try GuestCommand(command: request.command, environment: request.environment ?? [:], cwd: request.cwd)
        } catch {
            throw JoistError.invalidArgument("cannot run a command in instance \(name): \(error)")
        }
        let seconds = request.timeout ?? Self.defaultExecTimeout
        guard (1...Self.maximumExecTimeout).contains(seconds) else {
            throw JoistError.invalidArgument("timeout must be between 1 and \(Self.maximumExecTimeout) seconds")
        }
        var input: [UInt8]?
        if let stdin = request.stdin {
            guard let data = Data(base64Encoded: stdin) else { throw JoistError.invalidArgument("stdin must be base64") }
            input = Array(data)
        }
        let status = try await withGuestAgent("run a command in") { [input] agent in
            try await agent.run(command, input: input, timeout: .seconds(seconds))
        }
        return InstanceExecResult(
            exitCode: status.exitCode, signal: status.signal, stdout: Data(status.stdout).base64EncodedString(),
            stderr: Data(status.stderr).base64EncodedString(), truncated: status.truncated)
    }

    /// Writes the bytes of `chunks` to `path` in the guest with permissions `mode`; returns how many.
    public func pushFile<Chunks: AsyncSequence & Sendable>(_ chunks: Chunks, to path: String, mode: Int) async throws -> Int
    where Chunks.Element == [UInt8] {
        try validateGuestPath(path)
        guard (0...0o7777).contains(mode) else { throw JoistError.invalidArgument("mode must be an octal permission between 0 and 7777") }
        return try await withGuestAgent("copy a file into") { agent in try await agent.push(chunks, to: path, mode: mode) }
    }

    /// Reads `path` in the guest: `opened` runs once the file is open (so a missing file is an error
    /// before any byte), then `body` gets each chunk; returns how many bytes it read.
    public func pullFile(_ path: String, opened: @escaping @Sendable () -> Void, into body: @escaping @Sendable ([UInt8]) async throws -> Void) async throws -> Int {
        try validateGuestPath(path)
        return try await withGuestAgent("copy a file from") { agent in
            try await agent.pull(path, opened: opened, into: body)
        }
    }

    private func validateGuestPath(_ path: String) throws {
        do {
            try GuestPath.validate(path)
        } catch {
            throw JoistError.invalidArgument("\(error)")
        }
    }

    /// Runs `body` with a connection to the guest's agent, one conversation at a time.
    func withGuestAgent<T: Sendable>(
        _ action: String, syncTimeout: Duration = agentSyncTimeout, _ body: @escaping @Sendable (any GuestAgent) async throws -> T
    ) async throws -> T {
        try ensureExists()
        guard lifecycle.state == .running else {
            throw JoistError.invalidState("cannot \(action) instance \(name) while it is \(lifecycle.state.rawValue)")
        }
        if await agentPortOpen() == false { throw agentNotAnswering() }
        let socket = paths.guestAgentSocket
        let logger = logger
        let name = name
        return try await agentLock.withLock {
            await self.markAgent(inUse: true)
            do {
                let result = try await Self.converse(socket: socket, syncTimeout: syncTimeout, logger: logger, instance: name, body)
                await self.markAgent(inUse: false)
                return result
            } catch {
                await self.markAgent(inUse: false)
                throw error
            }
        }
    }

    /// Connects, runs `body`, and closes the connection whatever happened.
    private static func converse<T: Sendable>(
        socket: String, syncTimeout: Duration, logger: Logger, instance: String, _ body: @Sendable (any GuestAgent) async throws -> T
    ) async throws -> T {
        let agent: GuestAgentClient
        do {
            agent = try await GuestAgentClient.connect(path: socket, syncTimeout: syncTimeout, logger: logger)
        } catch {
            throw agentFailure(error, instance: instance)
        }
        do {
            let result = try await body(agent)
            await agent.close()
            return result
        } catch {
            await agent.close()
            throw agentFailure(error, instance: instance)
        }
    }

    private func markAgent(inUse: Bool) { agentInUse = inUse }

    /// Whether something in the guest has the agent's port open; nil when QEMU cannot tell.
    func agentPortOpen() async -> Bool? {
        guard let qmp else { return nil }
        let open: Bool?? = try? await withDeadline(Self.qmpCommandTimeout, "QEMU (query-chardev)") {
            try await qmp.chardevFrontendOpen(QEMUArgvBuilder.guestAgentChardev)
        }
        return open ?? nil
    }

    func agentNotAnswering() -> JoistError {
        Self.notAnswering(name)
    }

    static func notAnswering(_ instance: String) -> JoistError {
        JoistError.invalidState("the guest agent of \(instance) is not answering: is qemu-guest-agent installed and running in the guest?")
    }

    /// An agent failure as the API reports it.
    static func agentFailure(_ error: any Error, instance: String) -> any Error {
        switch error {
        case let error as JoistError: return error
        case GuestAgentError.noAgent, GuestAgentError.connectFailed: return notAnswering(instance)
        case GuestAgentError.timeout(let command, let waited):
            return JoistError(.timeout, "the guest agent of \(instance) did not answer \(command) within \(waited)")
        case GuestAgentError.commandFailed(_, _, let description):
            if description.contains("No such file or directory") { return JoistError.notFound("in instance \(instance): \(description)") }
            return JoistError.invalidArgument("the guest agent of \(instance) refused: \(description)")
        case GuestAgentError.disconnected:
            return JoistError.hostFailure("the guest agent of \(instance) went away (did the guest shut down?)")
        case let error as GuestExecTimeout:
            return JoistError(.timeout, "in instance \(instance): \(error)")
        case let error as GuestFileError:
            return JoistError.invalidArgument("in instance \(instance): \(error)")
        default:
            return JoistError.hostFailure("the guest agent of \(instance) failed: \(error)")
        }
    }
}
