public import QMP

/// A conversation with one guest's QEMU guest agent (qemu-ga), over the virtio-serial port
/// `org.qemu.guest_agent.0`.
///
/// Everything goes through `execute`; the typed commands (`ping`, `info`, `freezeFilesystems`, …)
/// are extensions on top of it, so a fake or another transport only implements that one method.
public protocol GuestAgent: Sendable {
    /// Sends `{"execute": command, "arguments": arguments}` and returns the answer's `return` value.
    ///
    /// - Parameter timeout: how long the agent has to answer; nil for the connection's default.
    /// - Throws: `GuestAgentError.commandFailed` when the agent answers with an error, `.timeout`
    ///   when it does not answer in time (the connection resynchronises before the next command),
    ///   `.disconnected` when the connection is gone.
    func execute(_ command: String, arguments: [String: JSONValue]?, timeout: Duration?) async throws -> JSONValue

    /// Closes the connection; the guest is not affected. Calling it again does nothing.
    func close() async
}

extension GuestAgent {
    /// `execute` with no arguments and the default timeout.
    public func execute(_ command: String, arguments: [String: JSONValue]? = nil) async throws -> JSONValue {
        try await execute(command, arguments: arguments, timeout: nil)
    }
}
