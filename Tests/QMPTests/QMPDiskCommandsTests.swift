import JoistTesting
import QMP
import Testing

@Suite("Typed QMP commands for disks and devices", .timeLimit(.minutes(1)))
struct QMPDiskCommandsTests {
    static let blockNodes: JSONValue = [
        [
            "node-name": "disk-1", "drv": "qcow2", "file": "/srv/a.qcow2", "ro": false,
            "image": ["virtual-size": 67_108_864, "filename": "/srv/a.qcow2", "format": "qcow2"],
        ],
        [
            "node-name": "disk-1-file", "drv": "file", "file": "/srv/a.qcow2", "ro": false,
            "image": ["virtual-size": 197_120, "filename": "/srv/a.qcow2", "format": "file"],
        ],
    ]

    private static let handler: FakeQMPServer.Handler = { command in
        switch command.name {
        case "query-named-block-nodes": .success(blockNodes)
        case "qom-list": .success([["name": "type", "type": "string"], ["name": "scsi0", "type": "child<virtio-scsi-pci>"]])
        case "query-pci":
            .success([[
                "bus": 0,
                "devices": [
                    ["bus": 0, "slot": 0, "function": 0, "qdev_id": "", "class_info": ["class": 1536]],
                    [
                        "bus": 0, "slot": 1, "function": 0, "qdev_id": "port0",
                        "pci_bridge": ["bus": ["number": 1], "devices": [["bus": 1, "slot": 0, "function": 0, "qdev_id": "disk-1-dev"]]],
                    ],
                    ["bus": 0, "slot": 2, "function": 0, "qdev_id": "port1", "pci_bridge": ["bus": ["number": 2], "devices": []]],
                ],
            ]])
        default: .success([:])
        }
    }

    @Test("each typed command sends the QMP command and arguments it documents")
    func commands() async throws {
        try await withFakeQMP(handler: Self.handler) { server, client in
            try await client.blockdevAdd(["driver": "file", "filename": "/srv/a.qcow2", "node-name": "disk-1-file"])
            try await client.deviceAdd(["driver": "virtio-blk-pci", "id": "disk-1-dev", "drive": "disk-1", "bus": "port1"])
            try await client.blockResize(nodeName: "disk-1", size: 8_589_934_592)
            try await client.deviceDel(id: "disk-1-dev")
            try await client.blockdevDel(nodeName: "disk-1")
            let sent = server.commands
            #expect(sent.map(\.name) == ["blockdev-add", "device_add", "block_resize", "device_del", "blockdev-del"])
            #expect(sent.map(\.arguments) == [
                ["driver": "file", "filename": "/srv/a.qcow2", "node-name": "disk-1-file"],
                ["driver": "virtio-blk-pci", "id": "disk-1-dev", "drive": "disk-1", "bus": "port1"],
                ["node-name": "disk-1", "size": 8_589_934_592],
                ["id": "disk-1-dev"],
                ["node-name": "disk-1"],
            ])
        }
    }

    @Test("query-named-block-nodes decodes node name, driver, file and virtual size")
    func blockNodes() async throws {
        try await withFakeQMP(handler: Self.handler) { server, client in
            let nodes = try await client.queryNamedBlockNodes()
            #expect(nodes == [
                QMPBlockNode(nodeName: "disk-1", driver: "qcow2", file: "/srv/a.qcow2", virtualSize: 67_108_864),
                QMPBlockNode(nodeName: "disk-1-file", driver: "file", file: "/srv/a.qcow2", virtualSize: 197_120),
            ])
            #expect(server.commands.first?.arguments == ["flat": true])
        }
    }

    @Test("query-pci and qom-list decode what sits where")
    func topology() async throws {
        try await withFakeQMP(handler: Self.handler) { _, client in
            let devices = try await client.queryPCI()
            #expect(devices.map(\.id) == ["", "port0", "port1"])
            #expect(devices.map { $0.devicesBehind?.map(\.id) } == [nil, ["disk-1-dev"], []])
            let children = try await client.qomList(path: "/machine/peripheral")
            #expect(children.map(\.childType) == [nil, "virtio-scsi-pci"])
        }
    }

    static let malformedAnswers: [(String, JSONValue)] = [
        ("query-named-block-nodes", [["node-name": "x"]]), ("query-pci", [:]), ("qom-list", [["name": 1]]),
    ]

    @Test("malformed answers are protocol violations", arguments: malformedAnswers)
    func malformed(command: String, answer: JSONValue) async throws {
        try await withFakeQMP(handler: { _ in .success(answer) }) { _, client in
            await #expect(throws: QMPError.protocolViolation("\(command) returned \(answer)")) {
                switch command {
                case "query-named-block-nodes": _ = try await client.queryNamedBlockNodes()
                case "query-pci": _ = try await client.queryPCI()
                default: _ = try await client.qomList(path: "/machine/peripheral")
                }
            }
        }
    }

    @Test("deleteDevice returns once DEVICE_DELETED names the device; other devices' events do not count")
    func deleteDevice() async throws {
        try await withFakeQMP { server, client in
            let deleted = Task { try await client.deleteDevice(id: "disk-1-dev", timeout: hangTimeout) }
            let asked = await eventually { server.commands.map(\.name) == ["device_del"] }
            try #require(asked)
            await server.emit("DEVICE_DELETED", data: ["path": "/machine/peripheral/disk-1-dev/virtio-backend"])
            await server.emit("DEVICE_DELETED", data: ["device": "disk-2-dev", "path": "/machine/peripheral/disk-2-dev"])
            try await Task.sleep(for: .milliseconds(50))
            await server.emit("DEVICE_DELETED", data: ["device": "disk-1-dev", "path": "/machine/peripheral/disk-1-dev"])
            try await deleted.value
            // The stream's consumer still sees every event.
            let events = try await nextEvents(client.events, count: 3)
            #expect(events.map { $0.data["device"]?.stringValue } == [nil, "disk-2-dev", "disk-1-dev"])
        }
    }

    @Test("an event that arrives before anyone waits is kept by the watch")
    func earlyEvent() async throws {
        try await withFakeQMP { server, client in
            let watch = client.watchDeviceDeleted(id: "disk-1-dev")
            await server.emit("DEVICE_DELETED", data: ["device": "disk-1-dev"])
            // Responses and events share the socket in order: once this answer is in, so is the event.
            _ = try await client.execute("query-version")
            let event = try await watch.wait(timeout: hangTimeout)
            #expect(event.name == "DEVICE_DELETED")
            #expect(event.data["device"] == "disk-1-dev")
        }
    }

    @Test("a device QEMU does not know fails deleteDevice at once")
    func deleteUnknown() async throws {
        try await withFakeQMP(handler: { _ in .error(class: "DeviceNotFound", description: "Device 'x' not found") }) { _, client in
            await #expect(throws: QMPError.commandFailed(class: "DeviceNotFound", description: "Device 'x' not found")) {
                try await client.deleteDevice(id: "x", timeout: hangTimeout)
            }
        }
    }

    @Test("a watch whose event never comes times out with a message that names it")
    func timeout() async throws {
        try await withFakeQMP { _, client in
            let watch = client.watchDeviceDeleted(id: "disk-1-dev")
            await #expect(throws: QMPError.timeout("no DEVICE_DELETED for device disk-1-dev within 0.1 seconds")) {
                try await watch.wait(timeout: .milliseconds(100))
            }
        }
    }

    @Test("a watch fails when the connection closes, whether it was already waited on or not")
    func disconnect() async throws {
        try await withFakeQMP { server, client in
            let waiting = client.watchDeviceDeleted(id: "a")
            let idle = client.watchDeviceDeleted(id: "b")
            let waiter = Task { try await waiting.wait(timeout: hangTimeout) }
            try await Task.sleep(for: .milliseconds(50))
            await server.dropConnections()
            await client.waitUntilClosed()
            await #expect(throws: QMPError.disconnected) { try await waiter.value }
            await #expect(throws: QMPError.disconnected) { try await idle.wait(timeout: hangTimeout) }
            await #expect(throws: QMPError.disconnected) { try await client.watchDeviceDeleted(id: "c").wait(timeout: hangTimeout) }
        }
    }

    @Test("a cancelled watch or a cancelled task stops waiting")
    func cancellation() async throws {
        try await withFakeQMP { _, client in
            let watch = client.watchDeviceDeleted(id: "a")
            watch.cancel()
            await #expect(throws: CancellationError.self) { try await watch.wait(timeout: hangTimeout) }
            let other = client.watchDeviceDeleted(id: "b")
            let task = Task { try await other.wait(timeout: hangTimeout) }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
        }
    }
}
