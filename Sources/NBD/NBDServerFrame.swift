import NIOCore

/// One unit of what an NBD server sends: the greeting, an option reply, or a transmission reply.
enum NBDServerFrame: Sendable, Equatable {
    /// `NBDMAGIC`, `IHAVEOPT` and the server's handshake flags.
    case greeting(handshakeFlags: UInt16)
    /// A reply to an option of the negotiation phase.
    case optionReply(option: UInt32, type: UInt32, payload: ByteBuffer)
    /// A simple reply: with structured replies negotiated, only an error (or a command's bare success).
    case simpleReply(cookie: UInt64, error: UInt32)
    /// One chunk of a structured reply.
    case chunk(NBDReplyChunk)
}

/// One chunk of a structured reply.
struct NBDReplyChunk: Sendable, Equatable {
    var flags: UInt16
    var type: UInt16
    var cookie: UInt64
    var payload: ByteBuffer

    /// Whether this is the reply's last chunk.
    var isDone: Bool { flags & NBDChunkType.flagDone != 0 }
}
