/// Splits what a guest agent sends into responses: one JSON document per line, after the `0xFF`
/// sentinel that answers `guest-sync-delimited`.
///
/// Pure, so the resynchronisation rules are tested without a socket. While it waits for the
/// sentinel every byte is dropped: whatever came before it is stale (the answer to a command whose
/// caller gave up, or the agent's garbage from an earlier client), and `0xFF` never occurs in JSON
/// text, so the first one found is the agent's (an earlier handshake's, answered late, is told apart by its id).
public struct GuestAgentFramer: Sendable {
    /// The byte qemu-ga sends before the answer to `guest-sync-delimited`, and the byte a client
    /// sends to make qemu-ga drop a half-received request.
    public static let sentinel: UInt8 = 0xFF

    /// Thrown when a line grows past `maximumLineLength` (a runaway or hostile guest).
    public struct LineTooLong: Error, Hashable, Sendable {
        public let limit: Int
    }

    /// The longest response accepted, in bytes: `guest-exec-status` carries up to 16 MiB of output
    /// as base64.
    public let maximumLineLength: Int
    private var buffer: [UInt8] = []
    private var awaitingSentinel = false

    public init(maximumLineLength: Int = 32 * 1024 * 1024) {
        self.maximumLineLength = maximumLineLength
    }

    /// Drops everything buffered and every byte up to the next sentinel: call it just before
    /// sending `guest-sync-delimited`.
    public mutating func expectSentinel() {
        buffer.removeAll(keepingCapacity: true)
        awaitingSentinel = true
    }

    /// Takes bytes as they arrive.
    public mutating func append<Bytes: Collection>(_ bytes: Bytes) throws where Bytes.Element == UInt8 {
        var rest = bytes[...]
        if awaitingSentinel {
            guard let sentinel = rest.firstIndex(of: Self.sentinel) else { return }
            rest = rest[rest.index(after: sentinel)...]
            awaitingSentinel = false
        }
        buffer.append(contentsOf: rest)
        if buffer.count > maximumLineLength, !buffer.contains(UInt8(ascii: "\n")) {
            buffer.removeAll()
            throw LineTooLong(limit: maximumLineLength)
        }
    }

    /// The next complete, non-blank line without its terminator, or nil until one has arrived.
    public mutating func nextLine() -> [UInt8]? {
        guard !awaitingSentinel else { return nil }
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            var line = Array(buffer[..<newline])
            buffer.removeFirst(newline + 1)
            // A later sentinel (an earlier sync's, answered late) is noise: it is never part of JSON.
            line.removeAll { $0 == Self.sentinel }
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if line.contains(where: { !Self.isBlank($0) }) { return line }
        }
        return nil
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }
}
