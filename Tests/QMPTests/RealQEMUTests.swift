import JoistTesting
import QMP
import Testing

@Suite("QMP client against a real QEMU", .enabled(if: QEMUProcess.isAvailable), .timeLimit(.minutes(2)))
struct RealQEMUTests {
    @Test("drives a paused QEMU through cont, stop and quit, and notices it exit")
    func lifecycle() async throws {
        let qemu = try QEMUProcess.launch()
        defer { qemu.terminate() }

        let client = try await QMPClient.connect(path: qemu.socketPath, timeout: hangTimeout, logger: testLogger)
        #expect(client.greeting.version.major >= 7)
        #expect(try await client.queryStatus() == QMPStatus(running: false, status: "prelaunch"))
        #expect(try await client.humanMonitorCommand("info version").contains("\(client.greeting.version)"))

        try await client.cont()
        #expect(try await client.queryStatus() == QMPStatus(running: true, status: "running"))

        try await client.stop()
        let events = client.events
        let stop = try await withTimeout("a STOP event", timeout: hangTimeout) {
            for await event in events where event.name == "STOP" { return Optional(event) }
            return nil
        }
        #expect(stop?.timestamp != nil)
        #expect(try await client.queryStatus() == QMPStatus(running: false, status: "paused"))

        try await client.quit()
        try await withTimeout("the socket to close", timeout: hangTimeout) { await client.waitUntilClosed() }
        // The stream delivers what arrived before the close (QEMU reports its SHUTDOWN), then finishes.
        let leftover = try await remainingEvents(events)
        #expect(leftover.map(\.name) == ["SHUTDOWN"])
        #expect(leftover.first?.data["reason"]?.stringValue == "host-qmp-quit")
        #expect(!client.isConnected)
        await #expect(throws: QMPError.disconnected) { try await client.queryStatus() }
        #expect(try await qemu.waitForExit(timeout: hangTimeout))
    }

    @Test("notices QEMU being killed: waitUntilClosed returns and later commands fail")
    func killed() async throws {
        let qemu = try QEMUProcess.launch()
        defer { qemu.terminate() }

        let client = try await QMPClient.connect(path: qemu.socketPath, timeout: hangTimeout, logger: testLogger)
        try await client.cont()
        qemu.terminate()
        try await withTimeout("the socket to close", timeout: hangTimeout) { await client.waitUntilClosed() }
        await #expect(throws: QMPError.disconnected) { try await client.execute("query-status") }
        _ = try await remainingEvents(client.events)
    }
}
