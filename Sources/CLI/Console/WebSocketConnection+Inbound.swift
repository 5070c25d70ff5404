import NIOCore

extension WebSocketConnection {
    /// Incoming data as chunks of raw bytes, in arrival order: each frame's payload, whatever its
    /// kind or place in a message. Ends with a ``WebSocketError`` when joistd refused the session.
    /// Iterate it once.
    struct Bytes: AsyncSequence, Sendable {
        typealias Element = [UInt8]

        fileprivate let stream: NIOAsyncChannelInboundStream<WebSocketFragment>
        fileprivate let closeReason: ConsoleLockedValue<CloseReason?>

        /// Wraps the upgraded channel's inbound fragments; `closeReason` is where the server's close lands.
        init(stream: NIOAsyncChannelInboundStream<WebSocketFragment>, closeReason: ConsoleLockedValue<CloseReason?>) {
            self.stream = stream
            self.closeReason = closeReason
        }

        func makeAsyncIterator() -> Iterator {
            Iterator(base: self.stream.makeAsyncIterator(), closeReason: self.closeReason)
        }

        /// Yields each fragment's payload.
        struct Iterator: AsyncIteratorProtocol {
            var base: NIOAsyncChannelInboundStream<WebSocketFragment>.AsyncIterator
            let closeReason: ConsoleLockedValue<CloseReason?>

            mutating func next() async throws -> [UInt8]? {
                guard let fragment = try await self.base.next() else {
                    if let refusal = WebSocketError.refusal(self.closeReason.value) { throw refusal }
                    return nil
                }
                return Array(fragment.payload.readableBytesView)
            }
        }
    }

    /// Incoming text messages, each whole (fragments joined), e.g. one JSON event per message.
    /// A binary message, invalid UTF-8 or a message over the size limit ends the sequence with a
    /// ``WebSocketError`` (`.protocolViolation`), as does joistd refusing the session
    /// (`.upgradeRejected`). Iterate it once.
    struct TextMessages: AsyncSequence, Sendable {
        typealias Element = String

        fileprivate let stream: NIOAsyncChannelInboundStream<WebSocketFragment>
        fileprivate let maxMessageSize: Int
        fileprivate let closeReason: ConsoleLockedValue<CloseReason?>

        /// Wraps the upgraded channel's inbound fragments; messages may be up to `maxMessageSize` bytes.
        init(
            stream: NIOAsyncChannelInboundStream<WebSocketFragment>, maxMessageSize: Int, closeReason: ConsoleLockedValue<CloseReason?>
        ) {
            self.stream = stream
            self.maxMessageSize = maxMessageSize
            self.closeReason = closeReason
        }

        func makeAsyncIterator() -> Iterator {
            Iterator(base: self.stream.makeAsyncIterator(), maxMessageSize: self.maxMessageSize, closeReason: self.closeReason)
        }

        /// Joins fragments until a message is complete.
        struct Iterator: AsyncIteratorProtocol {
            var base: NIOAsyncChannelInboundStream<WebSocketFragment>.AsyncIterator
            let maxMessageSize: Int
            let closeReason: ConsoleLockedValue<CloseReason?>

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
                if let refusal = WebSocketError.refusal(self.closeReason.value) { throw refusal }
                return nil
            }
        }
    }
}
