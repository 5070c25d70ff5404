import JoistCore
import JoistTesting
import Logging
import QEMUDriver
import QMP
import Testing

/// The hot-plugger against a fake QMP server: which commands it sends, and what it does when QEMU
/// refuses or the guest does not let go.
@Suite("Disk hot-plug over QMP", .timeLimit(.minutes(1)))
struct DiskHotpluggerTests {
    static let disk = AttachedDisk(spec: DiskSpec(path: "/srv/extra.qcow2"), path: "/srv/extra.qcow2", format: .qcow2)
    static let emptyPort: JSONValue = [
        "bus": 0, "slot": 2, "function": 0, "qdev_id": "port1", "pci_bridge": ["bus": [:], "devices": []],
    ]
    static let busyPort: JSONValue = [
        "bus": 0, "slot": 1, "function": 0, "qdev_id": "port0",
        "pci_bridge": ["bus": [:], "devices": [["bus": 1, "slot": 0, "function": 0, "qdev_id": "disk-x-dev"]]],
    ]

    /// The two nodes of `disk`, as `query-named-block-nodes` lists them.
    static let diskNodes: JSONValue = .array([disk.names.node, disk.names.fileNode].map { name in
        ["node-name": .string(name), "drv": "qcow2", "file": "/srv/extra.qcow2", "image": ["virtual-size": 1024]]
    })

    /// Answers like a q35 guest with one busy and one free root port and `disk` attached.
    static func guest(failing failed: String? = nil) -> FakeQMPServer.Handler {
        { command in
            switch command.name {
            case failed: .error(class: "GenericError", description: "\(command.name) refused")
            case "query-pci": .success([["bus": 0, "devices": [busyPort, emptyPort]]])
            case "qom-list": .success([["name": "type", "type": "string"]])
            case "query-named-block-nodes": .success(diskNodes)
            default: .success([:])
            }
        }
    }

    private func withHotplugger(
        _ handler: @escaping FakeQMPServer.Handler, unplugTimeout: Duration = hangTimeout,
        _ body: (FakeQMPServer, DiskHotplugger) async throws -> Void
    ) async throws {
        let server = try await FakeQMPServer.start(handler: handler)
        let client = try await QMPClient.connect(path: server.socketPath, logger: Logger(label: "test"))
        do {
            try await body(server, DiskHotplugger(qmp: client, machine: .q35, unplugTimeout: unplugTimeout))
        } catch {
            await client.close()
            await server.shutdown()
            throw error
        }
        await client.close()
        await server.shutdown()
    }

    /// Answers `DEVICE_DELETED` for the first `device_del` the server receives.
    private func acknowledgeUnplug(on server: FakeQMPServer) async throws {
        let asked = await eventually { server.commands.contains { $0.name == "device_del" } }
        try #require(asked)
        let id = try #require(server.commands.first { $0.name == "device_del" }?.arguments?["id"])
        await server.emit("DEVICE_DELETED", data: ["path": "/machine/peripheral/x/virtio-backend"])
        await server.emit("DEVICE_DELETED", data: ["device": id, "path": "/machine/peripheral/x"])
    }

    @Test("attach finds a free root port and runs the plan's commands with its JSON")
    func attach() async throws {
        try await withHotplugger(Self.guest()) { server, hotplugger in
            try await hotplugger.attach(Self.disk)
            #expect(server.commands.map(\.name) == ["query-pci", "blockdev-add", "blockdev-add", "device_add"])
            let plan = DiskHotplugPlan.attach(Self.disk, machine: .q35, at: .rootPort("port1"))
            #expect(server.commands.dropFirst().map(\.arguments) == plan.map { $0.command?.arguments.qmpValue })
        }
    }

    @Test("a failed attach takes back what it did and names the disk")
    func attachRollsBack() async throws {
        try await withHotplugger(Self.guest(failing: "device_add")) { server, hotplugger in
            let error = await #expect(throws: JoistError.self) { try await hotplugger.attach(Self.disk) }
            #expect(error?.code == .hostFailure)
            #expect(error?.message == "cannot attach disk /srv/extra.qcow2: QMP command failed: GenericError: device_add refused")
            let names = Self.disk.names
            #expect(server.commands.suffix(2).map(\.arguments) == [["node-name": .string(names.node)], ["node-name": .string(names.fileNode)]])
            #expect(server.commands.map(\.name) == ["query-pci", "blockdev-add", "blockdev-add", "device_add", "blockdev-del", "blockdev-del"])
        }
    }

    @Test("detach waits for the guest to release the device before closing its nodes")
    func detach() async throws {
        try await withHotplugger(Self.guest()) { server, hotplugger in
            async let detached: Void = hotplugger.detach(DiskSpec(path: "/srv/extra.qcow2"))
            try await acknowledgeUnplug(on: server)
            try await detached
            let names = Self.disk.names
            #expect(server.commands.map(\.name) == ["query-named-block-nodes", "device_del", "blockdev-del", "blockdev-del"])
            #expect(server.commands.dropFirst().map(\.arguments) == [
                ["id": .string(names.device)], ["node-name": .string(names.node)], ["node-name": .string(names.fileNode)],
            ])
        }
    }

    @Test("a detach repeated after the guest released the device closes the nodes left behind")
    func detachLeftovers() async throws {
        let handler: FakeQMPServer.Handler = { command in
            switch command.name {
            case "device_del": .error(class: "DeviceNotFound", description: "Device 'x' not found")
            case "query-named-block-nodes": .success(Self.diskNodes)
            default: .success([:])
            }
        }
        try await withHotplugger(handler) { server, hotplugger in
            try await hotplugger.detach(DiskSpec(path: "/srv/extra.qcow2"))
            #expect(server.commands.map(\.name) == ["query-named-block-nodes", "device_del", "blockdev-del", "blockdev-del"])
        }
    }

    @Test("detach of a disk QEMU does not have is refused as not found, and changes nothing")
    func detachUnknown() async throws {
        try await withHotplugger(Self.guest()) { server, hotplugger in
            let error = await #expect(throws: JoistError.self) { try await hotplugger.detach(DiskSpec(path: "/srv/other.img")) }
            #expect(error == .notFound("cannot detach disk /srv/other.img: it is not attached to the running guest"))
            #expect(server.commands.map(\.name) == ["query-named-block-nodes"])
        }
    }

    @Test("a guest that never releases the device is a timeout, and the nodes stay")
    func detachTimeout() async throws {
        try await withHotplugger(Self.guest(), unplugTimeout: .milliseconds(200)) { server, hotplugger in
            let error = await #expect(throws: JoistError.self) {
                try await hotplugger.detach(DiskSpec(path: "/srv/extra.qcow2"))
            }
            #expect(error?.code == .timeout)
            #expect(error?.message.hasPrefix("cannot detach disk /srv/extra.qcow2: the guest did not release it") == true)
            #expect(server.commands.map(\.name) == ["query-named-block-nodes", "device_del"])
        }
    }

    @Test("resize sends block_resize to the disk's format node")
    func resize() async throws {
        try await withHotplugger(Self.guest()) { server, hotplugger in
            try await hotplugger.resize(DiskSpec(path: "/srv/extra.qcow2"), to: .gibibytes(2))
            #expect(server.commands.map(\.name) == ["block_resize"])
            #expect(server.commands.first?.arguments == ["node-name": .string(Self.disk.names.node), "size": 2_147_483_648])
        }
    }

    @Test("a virtio-blk disk cannot be hot-plugged into a microvm guest")
    func microvm() async throws {
        let server = try await FakeQMPServer.start(handler: Self.guest())
        let client = try await QMPClient.connect(path: server.socketPath, logger: Logger(label: "test"))
        let error = await #expect(throws: JoistError.self) {
            try await DiskHotplugger(qmp: client, machine: .microvm).attach(Self.disk)
        }
        #expect(error?.code == .unsupported)
        #expect(error?.message.hasPrefix("cannot attach disk /srv/extra.qcow2: a microvm guest cannot take virtio-blk disks") == true)
        #expect(server.commands.allSatisfy { !["blockdev-add", "device_add"].contains($0.name) })
        await client.close()
        await server.shutdown()
    }
}
