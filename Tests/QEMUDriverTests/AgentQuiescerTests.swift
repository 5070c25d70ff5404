import GuestAgent
import JoistCore
import JoistTesting
import Logging
import QEMUDriver
import Synchronization
import Testing

@Suite("Freezing a guest's filesystems through its agent around a capture")
struct AgentQuiescerTests {
    let logger = Logger(label: "test")

    /// The agent's requests other than handshakes, in order.
    private func commands(_ agent: FakeGuestAgent) -> [String] {
        agent.received.filter { $0 != "guest-sync-delimited" }
    }

    @Test("the capture runs between freeze and thaw, and the answer records how many filesystems were frozen")
    func order() async throws {
        let agent = try await FakeGuestAgent.start { name, _ in .value(2) }
        defer { Task { await agent.shutdown() } }
        let quiescer = AgentQuiescer(socketPath: agent.socketPath, logger: logger)
        let (seenDuringCapture, freeze) = try await quiescer.whileFrozen { commands(agent) }
        #expect(seenDuringCapture == ["guest-fsfreeze-freeze"])
        #expect(freeze == .frozen(2))
        #expect(commands(agent) == ["guest-fsfreeze-freeze", "guest-fsfreeze-thaw"])
    }

    @Test("a capture that fails still thaws, and its error comes through")
    func thawOnFailure() async throws {
        struct CaptureFailed: Error {}
        let agent = try await FakeGuestAgent.start { _, _ in .value(1) }
        defer { Task { await agent.shutdown() } }
        let quiescer = AgentQuiescer(socketPath: agent.socketPath, logger: logger)
        await #expect(throws: CaptureFailed.self) {
            _ = try await quiescer.whileFrozen { () async throws -> Int in throw CaptureFailed() }
        }
        #expect(commands(agent) == ["guest-fsfreeze-freeze", "guest-fsfreeze-thaw"])
    }

    @Test("with no agent answering, the capture goes on unfrozen after the handshake timeout, and says why")
    func noAgent() async throws {
        let agent = try await FakeGuestAgent.start(answersHandshake: false)
        defer { Task { await agent.shutdown() } }
        let quiescer = AgentQuiescer(socketPath: agent.socketPath, syncTimeout: .milliseconds(300), logger: logger)
        let captured = Mutex(false)
        let (_, freeze) = try await quiescer.whileFrozen { captured.withLock { $0 = true } }
        #expect(captured.withLock { $0 })
        #expect(freeze == .notFrozen("no guest agent answered within 0.3 seconds"))
        #expect(commands(agent).isEmpty)
    }

    @Test("a guest whose agent port is closed is not waited for: no connection, unfrozen at once; an open or unknown port goes on to the agent")
    func portClosed() async throws {
        let agent = try await FakeGuestAgent.start { _, _ in .value(1) }
        defer { Task { await agent.shutdown() } }
        for (open, frozen) in [(false, false), (nil, true), (true, true)] as [(Bool?, Bool)] {
            let quiescer = AgentQuiescer(socketPath: agent.socketPath, logger: logger, portOpen: { open })
            let freeze = await quiescer.freeze()
            await quiescer.thaw()
            #expect(freeze.frozen == frozen, "port open: \(String(describing: open))")
            if !frozen { #expect(freeze.reason?.contains("the port org.qemu.guest_agent.0 is closed") == true, "\(freeze)") }
        }
        #expect(commands(agent) == ["guest-fsfreeze-freeze", "guest-fsfreeze-thaw", "guest-fsfreeze-freeze", "guest-fsfreeze-thaw"])
    }

    @Test("an agent that stops while the handshake waits is reported by its closed port, not by the wait")
    func portClosedWhileWaiting() async throws {
        let agent = try await FakeGuestAgent.start(answersHandshake: false)
        defer { Task { await agent.shutdown() } }
        let asked = Mutex(0)
        // Open when first asked, closed by the time the handshake has timed out.
        let portOpen: @Sendable () async -> Bool? = { asked.withLock { $0 += 1; return $0 == 1 } }
        let quiescer = AgentQuiescer(socketPath: agent.socketPath, syncTimeout: .milliseconds(300), logger: logger, portOpen: portOpen)
        let freeze = await quiescer.freeze()
        #expect(freeze == .notFrozen("no guest agent runs in the guest (the port org.qemu.guest_agent.0 is closed)"))
        #expect(asked.withLock { $0 } == 2)
    }

    @Test("a guest started without the agent channel is not frozen, with a reason that says to restart it")
    func noChannel() async throws {
        let quiescer = AgentQuiescer(socketPath: "/tmp/joist-no-such-agent-\(UInt32.random(in: 0...UInt32.max)).sock", logger: logger)
        let freeze = await quiescer.freeze()
        #expect(!freeze.frozen)
        #expect(freeze.reason?.contains("restart") == true)
        await quiescer.thaw()
    }

    @Test("a freeze that times out is bounded, goes on unfrozen, and is followed by a thaw in case the agent froze late")
    func freezeTimeout() async throws {
        let agent = try await FakeGuestAgent.start { name, _ in
            name == "guest-fsfreeze-freeze" ? .untilNextRequest(.value(1)) : .value(1)
        }
        defer { Task { await agent.shutdown() } }
        let quiescer = AgentQuiescer(freezeTimeout: .milliseconds(100), logger: logger) {
            try await GuestAgentClient.connect(path: agent.socketPath, syncTimeout: hangTimeout, logger: logger)
        }
        let freeze = await quiescer.freeze()
        #expect(freeze == .notFrozen("the guest agent did not answer guest-fsfreeze-freeze within 0.1 seconds"))
        #expect(commands(agent) == ["guest-fsfreeze-freeze", "guest-fsfreeze-thaw"])
        await quiescer.thaw()
        #expect(commands(agent) == ["guest-fsfreeze-freeze", "guest-fsfreeze-thaw"])
    }

    @Test("an agent that refuses to freeze leaves the capture unfrozen with its reason")
    func refused() async throws {
        let agent = try await FakeGuestAgent.start { name, _ in
            name == "guest-fsfreeze-freeze" ? .error("GenericError", "Command guest-fsfreeze-freeze has been disabled") : .value(0)
        }
        defer { Task { await agent.shutdown() } }
        let freeze = await AgentQuiescer(socketPath: agent.socketPath, logger: logger).freeze()
        #expect(!freeze.frozen)
        #expect(freeze.reason?.contains("has been disabled") == true)
    }
}
