import NIOCore
import NIOPosix
import Testing

@testable import GuestAgent

@Suite("Guest agent receiver")
struct GuestAgentReceiverTests {
    @Test("a deadline that fires before its wait begins still ends the wait", .timeLimit(.minutes(1)))
    func deadlineBeforeWait() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let receiver = GuestAgentReceiver()
        // A zero timeout fires on the event loop's thread, often before this task has begun to wait;
        // a deadline lost that way would leave the wait hanging, as no line ever comes.
        for _ in 0..<200 {
            await #expect(throws: GuestAgentError.timeout(command: "guest-ping", waited: .zero)) {
                _ = try await receiver.nextLine(
                    timeout: .zero, eventLoop: group.next(), onTimeout: .timeout(command: "guest-ping", waited: .zero))
            }
        }
    }

    @Test("a line already queued is delivered even when the deadline came first")
    func queuedLineWins() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let receiver = GuestAgentReceiver()
        var buffer = ByteBuffer(string: "{\"return\": {}}\n")
        receiver.receive(buffer.readableBytesView)
        buffer.clear()
        let line = try await receiver.nextLine(timeout: .zero, eventLoop: group.next(), onTimeout: .timeout(command: "guest-ping", waited: .zero))
        #expect(String(decoding: line, as: UTF8.self) == "{\"return\": {}}")
    }
}
