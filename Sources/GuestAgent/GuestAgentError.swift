/// Why a guest agent request failed.
public enum GuestAgentError: Error, Sendable, Hashable {
    /// The agent's socket could not be connected (the guest's QEMU is not running, or has no agent
    /// channel).
    case connectFailed(path: String, reason: String)
    /// Nothing answered the `guest-sync-delimited` handshake in time: the guest runs no agent (or
    /// has not started it yet, or is hung).
    case noAgent(path: String, waited: Duration)
    /// The agent took longer than allowed to answer `command`.
    case timeout(command: String, waited: Duration)
    /// The agent answered `command` with an error (`{"error": {"class": …, "desc": …}}`).
    case commandFailed(command: String, class: String, description: String)
    /// The agent sent something that is not a guest agent response.
    case protocolViolation(String)
    /// The connection is closed.
    case disconnected
}

extension GuestAgentError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .connectFailed(let path, let reason):
            "cannot connect to the guest agent socket \(path): \(reason)"
        case .noAgent(_, let waited):
            "no guest agent answered within \(waited): install and start qemu-guest-agent in the guest (it listens on the virtio-serial port org.qemu.guest_agent.0)"
        case .timeout(let command, let waited):
            "the guest agent did not answer \(command) within \(waited)"
        case .commandFailed(let command, let errorClass, let description):
            "the guest agent refused \(command): \(errorClass): \(description)"
        case .protocolViolation(let detail):
            "the guest agent sent something unexpected: \(detail)"
        case .disconnected:
            "the guest agent connection closed"
        }
    }
}
