import NIOCore

extension WebSocketConnection {
    /// Incoming data as chunks of raw bytes, in arrival order: each frame's payload, whatever its
    /// kind or place in a message. Iterate it once.
    struct Bytes: AsyncSequence, Sendable {
        typealias Element = [UInt8]

        fileprivate let stream: NIOAsyncChannelInboundStream<WebSocketFragment>

        /// Wraps the upgraded channel's inbound fragments.
        init(stream: NIOAsyncChannelInboundStream<WebSocketFragment>) {
            self.stream = stream
        }

        func makeAsyncIterator() -> Iterator {
            Iterator(base: self.stream.makeAsyncIterator())
        }

        /// Yields each fragment's payload.
        struct Iterator: AsyncIteratorProtocol {
            var base: NIOAsyncChannelInboundStream<WebSocketFragment>.AsyncIterator

            mutating func next() async throws -> [UInt8]? {
                guard let fragment = try await self.base.next() else { return nil }
                return Array(fragment.payload.readableBytesView)
            }
        }
    }

    /// Incoming text messages, each whole (fragments joined), e.g. one JSON event per message.
    /// A binary message, invalid UTF-8 or a message over the size limit ends the sequence with a
    /// ``WebSocketError`` (`.protocolViolation`). Iterate it once.
    struct TextMessages: AsyncSequence, Sendable {
        typealias Element = String

        fileprivate let stream: NIOAsyncChannelInboundStream<WebSocketFragment>
        fileprivate let maxMessageSize: Int

        /// Wraps the upgraded channel's inbound fragments; messages may be up to `maxMessageSize` bytes.
        init(stream: NIOAsyncChannelInboundStream<WebSocketFragment>, maxMessageSize: Int) {
            self.stream = stream
            self.maxMessageSize = maxMessageSize
        }

        func makeAsyncIterator() -> Iterator {
            Iterator(base: self.stream.makeAsyncIterator(), maxMessageSize: self.maxMessageSize)
        }

        /// Joins fragments until a message is complete.
        struct Iterator: AsyncIteratorProtocol {
            var base: NIOAsyncChannelInboundStream<WebSocketFragment>.AsyncIterator
            let maxMessageSize: Int

            mutating func next() async throws -> String? {
                var message: [UInt8] = []
                while let fragment = try await self.base.next() {
                    guard fragment.kind == .text else {
                        throw WebSocketError.protocolViolation("joistd sent a binary WebSocket message where text was expected")
                    }
                    message += fragment.payload.readableBytesView
                    guard message.count <= self.maxMessageSize else {
                        throw WebSocketError.protocolViolation("joistd sent a WebSocket message over \(self.maxMessageSize) bytes")
                    }
                    guard fragment.isFinal else { continue }
                    guard let text = String(validating: message, as: UTF8.self) else {
                        throw WebSocketError.protocolViolation("joistd sent a WebSocket text message that is not UTF-8")
                    }
                    return text
                }
                return nil
            }
        }
    }
}
