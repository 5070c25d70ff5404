import QMP

extension FakeQMPServer {
    /// A command the fake received after capabilities negotiation.
    public struct Command: Sendable, Hashable {
        /// The `execute` member: the command's name.
        public let name: String
        /// The `arguments` member, when present.
        public let arguments: JSONValue?
        /// The `id` member, echoed in the response.
        public let id: JSONValue?

        /// Creates a command.
        public init(name: String, arguments: JSONValue? = nil, id: JSONValue? = nil) {
            self.name = name
            self.arguments = arguments
            self.id = id
        }
    }

    /// How the fake answers one command.
    public indirect enum Reply: Sendable, Hashable {
        /// Answer `{"return": value}`.
        case success(JSONValue)
        /// Answer `{"error": {"class": …, "desc": …}}`.
        case error(class: String, description: String)
        /// Send nothing, so the client keeps waiting.
        case noReply
        /// Drop the connection instead of answering.
        case disconnect
        /// Answer, then drop the connection, as QEMU does for `quit`.
        case successThenDisconnect(JSONValue)
        /// Act as `reply` after `delay`, so answers can arrive out of order.
        case delayed(Duration, Reply)
    }

    /// Decides the reply to each command; runs on an event loop, so it must not block.
    public typealias Handler = @Sendable (Command) -> Reply

    /// A QEMU 9.2.0 greeting offering the `oob` capability.
    public static let defaultGreeting: JSONValue = [
        "QMP": [
            "version": ["qemu": ["major": 9, "minor": 2, "micro": 0], "package": "Debian 1:9.2.0+ds-1"],
            "capabilities": ["oob"],
        ]
    ]

    /// A handler that answers every command with an empty object, as QEMU does for most commands.
    public static let succeedAll: Handler = { _ in .success([:]) }
}
