import NIOCore

/// Frames the bytes an NBD server sends into `NBDServerFrame`s.
///
/// Every frame says how long it is, so the decoder needs no knowledge of the requests in flight; it
/// only follows the phase: the greeting, then option replies, then (after the server acknowledged
/// `NBD_OPT_GO`) transmission replies. A frame longer than `maximumPayload` is an error rather than
/// unbounded buffering.
struct NBDFrameDecoder: ByteToMessageDecoder, Sendable {
    typealias InboundOut = NBDServerFrame

    enum Phase: Sendable, Equatable {
        case greeting
        case negotiation
        case transmission
    }

    /// The largest payload accepted: a read reply chunk carries at most the export's maximum block
    /// size (QEMU: 32 MiB), plus its offset.
    let maximumPayload: Int
    private(set) var phase: Phase = .greeting

    init(maximumPayload: Int = 64 << 20) {
        self.maximumPayload = maximumPayload
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try next(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }

    /// Takes one complete frame off the front of `buffer`, or nothing when it holds less than one.
    mutating func next(from buffer: inout ByteBuffer) throws(NBDError) -> NBDServerFrame? {
        switch phase {
        case .greeting: return try greeting(from: &buffer)
        case .negotiation: return try optionReply(from: &buffer)
        case .transmission: return try transmissionReply(from: &buffer)
        }
    }

    private mutating func greeting(from buffer: inout ByteBuffer) throws(NBDError) -> NBDServerFrame? {
        guard buffer.readableBytes >= 18 else { return nil }
        let magic = buffer.readInteger(as: UInt64.self)
        let option = buffer.readInteger(as: UInt64.self)
        let flags = buffer.readInteger(as: UInt16.self) ?? 0
        guard magic == NBDMagic.server else { throw .protocolViolation("the peer is not an NBD server (no NBDMAGIC)") }
        guard option == NBDMagic.option else {
            throw .protocolViolation("the server speaks the oldstyle handshake; only fixed newstyle is supported")
        }
        guard flags & NBDHandshakeFlag.fixedNewstyle != 0 else {
            throw .protocolViolation("the server does not offer the fixed newstyle handshake")
        }
        phase = .negotiation
        return .greeting(handshakeFlags: flags)
    }

    private mutating func optionReply(from buffer: inout ByteBuffer) throws(NBDError) -> NBDServerFrame? {
        guard buffer.readableBytes >= 20 else { return nil }
        let header = buffer.readerIndex
        guard buffer.getInteger(at: header, as: UInt64.self) == NBDMagic.optionReply,
            let option = buffer.getInteger(at: header + 8, as: UInt32.self),
            let type = buffer.getInteger(at: header + 12, as: UInt32.self),
            let length = buffer.getInteger(at: header + 16, as: UInt32.self)
        else { throw .protocolViolation("option reply without its magic number") }
        guard Int(length) <= maximumPayload else { throw .protocolViolation("option reply of \(length) bytes") }
        guard buffer.readableBytes >= 20 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 20)
        let payload = buffer.readSlice(length: Int(length)) ?? ByteBuffer()
        if option == NBDOptionCode.go.rawValue && type == NBDOptionReplyType.ack { phase = .transmission }
        return .optionReply(option: option, type: type, payload: payload)
    }

    private func transmissionReply(from buffer: inout ByteBuffer) throws(NBDError) -> NBDServerFrame? {
        let header = buffer.readerIndex
        guard let magic = buffer.getInteger(at: header, as: UInt32.self) else { return nil }
        switch magic {
        case NBDMagic.simpleReply:
            guard buffer.readableBytes >= 16 else { return nil }
            let error = buffer.getInteger(at: header + 4, as: UInt32.self) ?? 0
            let cookie = buffer.getInteger(at: header + 8, as: UInt64.self) ?? 0
            buffer.moveReaderIndex(forwardBy: 16)
            return .simpleReply(cookie: cookie, error: error)
        case NBDMagic.structuredReply:
            guard buffer.readableBytes >= 20,
                let flags = buffer.getInteger(at: header + 4, as: UInt16.self),
                let type = buffer.getInteger(at: header + 6, as: UInt16.self),
                let cookie = buffer.getInteger(at: header + 8, as: UInt64.self),
                let length = buffer.getInteger(at: header + 16, as: UInt32.self)
            else { return nil }
            guard Int(length) <= maximumPayload else { throw .protocolViolation("reply chunk of \(length) bytes") }
            guard buffer.readableBytes >= 20 + Int(length) else {
                // Room for the whole chunk at once: a 4 MiB read reply then arrives without the
                // buffer being grown (and copied) a dozen times on the way.
                buffer.reserveCapacity(minimumWritableBytes: 20 + Int(length) - buffer.readableBytes)
                return nil
            }
            buffer.moveReaderIndex(forwardBy: 20)
            let payload = buffer.readSlice(length: Int(length)) ?? ByteBuffer()
            return .chunk(NBDReplyChunk(flags: flags, type: type, cookie: cookie, payload: payload))
        default:
            throw .protocolViolation("reply with unknown magic 0x\(String(magic, radix: 16))")
        }
    }
}
