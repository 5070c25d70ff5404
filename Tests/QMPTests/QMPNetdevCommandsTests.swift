import JoistTesting
import QMP
import Testing

@Suite("Typed QMP commands for network backends", .timeLimit(.minutes(1)))
struct QMPNetdevCommandsTests {
    @Test("netdev_add sends the -netdev object as its arguments; netdev_del sends the id")
    func commands() async throws {
        try await withFakeQMP { server, client in
            let tap: [String: JSONValue] = ["type": "tap", "id": "net1", "ifname": "jt-0ef0e05d29bb", "script": "no", "downscript": "no"]
            try await client.netdevAdd(tap)
            try await client.netdevDel(id: "net1")
            #expect(server.commands.map(\.name) == ["netdev_add", "netdev_del"])
            #expect(server.commands.map(\.arguments) == [.object(tap), ["id": "net1"]])
        }
    }

    @Test("QEMU's refusal reaches the caller with its class")
    func refused() async throws {
        try await withFakeQMP(handler: { _ in .error(class: "DeviceNotFound", description: "Device 'net9' not found") }) { _, client in
            await #expect(throws: QMPError.commandFailed(class: "DeviceNotFound", description: "Device 'net9' not found")) {
                try await client.netdevDel(id: "net9")
            }
        }
    }
}

@Suite("Network backends on a real QEMU", .enabled(if: QEMUProcess.isAvailable), .timeLimit(.minutes(2)))
struct RealQEMUNetdevTests {
    @Test("a netdev added over QMP shows in info network and is gone after netdev_del; a second delete is DeviceNotFound")
    func addAndDelete() async throws {
        let qemu = try QEMUProcess.launch()
        defer { qemu.terminate() }
        let client = try await QMPClient.connect(path: qemu.socketPath, timeout: hangTimeout, logger: testLogger)
        try await client.netdevAdd(["type": "user", "id": "jn1", "restrict": true])
        #expect(try await client.humanMonitorCommand("info network").contains("jn1"))
        try await client.netdevDel(id: "jn1")
        #expect(try await !client.humanMonitorCommand("info network").contains("jn1"))
        await #expect {
            try await client.netdevDel(id: "jn1")
        } throws: { error in
            guard case QMPError.commandFailed(let errorClass, _) = error else { return false }
            return errorClass == "DeviceNotFound"
        }
        try await client.quit()
    }
}
