public import GuestAgent
public import JoistCore
public import Logging
import Synchronization

/// Freezes a running guest's filesystems through its guest agent (`guest-fsfreeze-freeze`/`-thaw`).
///
/// A guest without an agent, or one that does not answer in time, is not waited for: the capture
/// goes on crash-consistent and the answer says why. The freeze is bounded by `freezeTimeout`
/// because a frozen guest blocks every write; and since an agent that timed out may still freeze
/// afterwards, a failed freeze is followed by a thaw all the same.
public final class AgentQuiescer: GuestQuiescer {
    /// Opens a connection to the guest's agent (throws when there is none).
    public typealias Connect = @Sendable () async throws -> any GuestAgent

    private let connect: Connect
    /// Whether the guest has the agent's port open (nil: cannot tell). A guest whose agent is not
    /// running is known at once this way, instead of after the handshake's timeout.
    private let portOpen: (@Sendable () async -> Bool?)?
    private let freezeTimeout: Duration
    private let thawTimeout: Duration
    private let logger: Logger
    /// The agent that froze the filesystems, until it thaws them.
    private let frozenBy = Mutex<(any GuestAgent)?>(nil)

    public init(
        freezeTimeout: Duration = .seconds(10), thawTimeout: Duration = .seconds(10), logger: Logger,
        portOpen: (@Sendable () async -> Bool?)? = nil, connect: @escaping Connect
    ) {
        self.connect = connect
        self.portOpen = portOpen
        self.freezeTimeout = freezeTimeout
        self.thawTimeout = thawTimeout
        self.logger = logger
    }

    /// A quiescer for the agent behind QEMU's chardev socket at `socketPath`.
    public convenience init(
        socketPath: String, syncTimeout: Duration = .seconds(3), logger: Logger, portOpen: (@Sendable () async -> Bool?)? = nil
    ) {
        self.init(logger: logger, portOpen: portOpen) {
            try await GuestAgentClient.connect(path: socketPath, syncTimeout: syncTimeout, logger: logger)
        }
    }

    public func freeze() async -> FilesystemFreeze {
        if let portOpen, await portOpen() == false {
            logger.info("guest filesystems not frozen: \(Self.portClosed)")
            return .notFrozen(Self.portClosed)
        }
        let agent: any GuestAgent
        do {
            agent = try await connect()
        } catch {
            logger.warning("guest filesystems not frozen: \(error)")
            // An agent that was stopping when asked has closed its port by the end of the wait: that,
            // not the wait, is the reason.
            if case GuestAgentError.noAgent = error, let portOpen, await portOpen() == false {
                return .notFrozen(Self.portClosed)
            }
            return .notFrozen(Self.reason(error))
        }
        do {
            let count = try await agent.freezeFilesystems(timeout: freezeTimeout)
            frozenBy.withLock { $0 = agent }
            logger.info("froze \(count) guest filesystem(s)")
            return .frozen(count)
        } catch {
            logger.warning("guest filesystems not frozen: \(error)")
            await thaw(agent)
            return .notFrozen(Self.reason(error))
        }
    }

    public func thaw() async {
        guard let agent = frozenBy.withLock({ agent in defer { agent = nil }; return agent }) else { return }
        await thaw(agent)
    }

    private func thaw(_ agent: any GuestAgent) async {
        do {
            let count = try await agent.thawFilesystems(timeout: thawTimeout)
            logger.info("thawed \(count) guest filesystem(s)")
        } catch {
            logger.error("cannot thaw the guest's filesystems, writes in the guest may stay blocked (thaw them with guest-fsfreeze-thaw): \(error)")
        }
        await agent.close()
    }

    static let portClosed = "no guest agent runs in the guest (the port \(QEMUArgvBuilder.guestAgentPortName) is closed)"

    private static func reason(_ error: any Error) -> String {
        switch error {
        case GuestAgentError.connectFailed:
            "the instance has no guest agent channel (it was started before it had one; restart it)"
        case GuestAgentError.noAgent(_, let waited):
            "no guest agent answered within \(waited)"
        case let error as GuestAgentError:
            error.description
        default:
            "\(error)"
        }
    }
}
