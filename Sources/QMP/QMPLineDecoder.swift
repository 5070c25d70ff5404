import NIOCore

/// Frames a byte stream into lines: QMP is newline-delimited JSON.
///
/// Emits each line without its terminator (`\n` or `\r\n`) and skips blank lines. A line longer
/// than `maximumLineLength` is an error rather than unbounded buffering.
public struct QMPLineDecoder: ByteToMessageDecoder, Sendable {
    /// Thrown when a line exceeds the maximum length.
    public struct LineTooLong: Error, Hashable, Sendable {
        /// The limit that was exceeded, in bytes.
        public let limit: Int
    }

    /// One line, without its terminator.
    public typealias InboundOut = ByteBuffer

    /// The longest line accepted, in bytes.
    public let maximumLineLength: Int
    /// Bytes already scanned without finding a newline, so each byte is scanned once.
    private var scanned = 0

    /// Creates a decoder; QMP replies (such as `query-qmp-schema`) can be a few hundred KiB.
    public init(maximumLineLength: Int = 16 * 1024 * 1024) {
        self.maximumLineLength = maximumLineLength
    }

    /// Emits one line when the buffer holds a complete one.
    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        let start = view.startIndex + scanned
        guard let newline = view[start...].firstIndex(of: UInt8(ascii: "\n")) else {
            scanned = view.count
            if scanned > maximumLineLength { throw LineTooLong(limit: maximumLineLength) }
            return .needMoreData
        }
        scanned = 0
        let length = newline - view.startIndex
        guard length <= maximumLineLength else { throw LineTooLong(limit: maximumLineLength) }
        guard var line = buffer.readSlice(length: length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 1)
        if line.readableBytesView.last == UInt8(ascii: "\r") {
            line.moveWriterIndex(to: line.writerIndex - 1)
        }
        if line.readableBytes > 0 {
            context.fireChannelRead(Self.wrapInboundOut(line))
        }
        return .continue
    }

    /// Delivers complete lines left at end of stream; a trailing partial line is dropped.
    public mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }
}
