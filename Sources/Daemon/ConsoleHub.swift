import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Multiplexes one guest serial console to many clients.
///
/// QEMU's socket chardev serves one client at a time, so the daemon holds that one connection:
/// everything the guest prints goes to the history log and to every attached client, and what any
/// client types goes to the guest. When QEMU exits the socket closes and every client stream ends.
public final class ConsoleHub: Sendable {
    private struct State {
        var subscribers: [Int: AsyncStream<[UInt8]>.Continuation] = [:]
        var nextID = 0
        var closed = false
    }

    private let state = Mutex(State())
    private let log: ConsoleLog
    private let channel: any Channel
    private let writer: NIOAsyncChannelOutboundWriter<ByteBuffer>

    private init(log: ConsoleLog, channel: any Channel, writer: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.log = log
        self.channel = channel
        self.writer = writer
    }

    /// Connects to QEMU's serial socket and starts relaying its output.
    public static func connect(socketPath: String, log: ConsoleLog) async throws -> ConsoleHub {
        let asyncChannel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(unixDomainSocketPath: socketPath) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let (ready, readyContinuation) = AsyncStream<ConsoleHub>.makeStream()
        Task {
            try? await asyncChannel.executeThenClose { inbound, outbound in
                let hub = ConsoleHub(log: log, channel: asyncChannel.channel, writer: outbound)
                readyContinuation.yield(hub)
                readyContinuation.finish()
                for try await buffer in inbound {
                    hub.deliver(Array(buffer.readableBytesView))
                }
                hub.finish()
            }
            readyContinuation.finish()
        }
        for await hub in ready { return hub }
        throw CancellationError()
    }

    /// A stream of everything the guest prints from now on; it ends when the console closes.
    public func subscribe() -> (id: Int, output: AsyncStream<[UInt8]>) {
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let id: Int? = state.withLock { state in
            guard !state.closed else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return (-1, stream)
        }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return (id, stream)
    }

    public func unsubscribe(_ id: Int) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: id) }
    }

    /// Sends keystrokes to the guest.
    public func send(_ bytes: [UInt8]) async throws {
        try await writer.write(ByteBuffer(bytes: bytes))
    }

    /// Disconnects from QEMU (which keeps running) and ends every client stream.
    public func close() {
        channel.close(promise: nil)
        finish()
    }

    private func deliver(_ bytes: [UInt8]) {
        log.append(bytes)
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers { subscriber.yield(bytes) }
    }

    private func finish() {
        let subscribers = state.withLock { state -> [AsyncStream<[UInt8]>.Continuation] in
            state.closed = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }
}
