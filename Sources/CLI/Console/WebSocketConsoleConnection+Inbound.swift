import NIOCore

extension WebSocketConsoleConnection {
    /// Guest output as chunks of raw bytes, in arrival order. Iterate it once.
    struct Inbound: AsyncSequence, Sendable {
        typealias Element = [UInt8]

        fileprivate let stream: NIOAsyncChannelInboundStream<ByteBuffer>

        /// Wraps the upgraded channel's inbound byte buffers.
        init(stream: NIOAsyncChannelInboundStream<ByteBuffer>) {
            self.stream = stream
        }

        func makeAsyncIterator() -> Iterator {
            Iterator(base: self.stream.makeAsyncIterator())
        }

        /// Yields each inbound buffer's bytes.
        struct Iterator: AsyncIteratorProtocol {
            var base: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator

            mutating func next() async throws -> [UInt8]? {
                guard let buffer = try await self.base.next() else { return nil }
                return Array(buffer.readableBytesView)
            }
        }
    }
}
