import Foundation
import JoistAPI
import JoistTesting
import Testing

@testable import Daemon

@Suite("Recovery files")
struct RecoveryFileTests {
    func stored(_ name: String, in daemon: FakeDaemon) async throws -> Data? {
        try await daemon.manager.env.store.get(InstanceRecord.key(name)).map(\.value)
    }

    func mirrored(_ name: String, in daemon: FakeDaemon) -> Data? {
        FileManager.default.contents(atPath: "\(daemon.directory)/instances/\(name).json")
    }

    @Test("each instance's recovery file mirrors its store record, follows changes, and goes with the instance")
    func mirrorsTheStore() async throws {
        let daemon = try FakeDaemon(launcher: FakeVMLauncher())
        defer { daemon.cleanUp() }
        _ = try await daemon.create("vm1")
        let created = try #require(try await stored("vm1", in: daemon))
        #expect(await eventually { mirrored("vm1", in: daemon) == created })

        _ = try await daemon.manager.updateConfig("vm1", in: "default", settings: [("cpus", "2")], ifMatch: nil)
        let updated = try #require(try await stored("vm1", in: daemon))
        #expect(updated != created)
        #expect(await eventually { mirrored("vm1", in: daemon) == updated })
        let record = try APICoding.decoder().decode(InstanceRecord.self, from: try #require(mirrored("vm1", in: daemon)))
        #expect(record.spec.cpus == 2)

        // A write queued just before a delete must not bring the directory back.
        _ = try await daemon.create("vm2")
        try await daemon.manager.delete("vm2", in: "default", force: false)
        try await daemon.manager.delete("vm1", in: "default", force: false)
        for _ in 0..<20 { await Task.yield() }
        let left = try FileManager.default.contentsOfDirectory(atPath: daemon.directory + "/instances")
        #expect(left.isEmpty, "\(left)")
    }

    @Test("a daemon that finds an instance without its recovery file writes it")
    func loadRewritesMissingFiles() async throws {
        let daemon = try FakeDaemon(launcher: FakeVMLauncher())
        defer { daemon.cleanUp() }
        _ = try await daemon.create("vm1")
        let created = try #require(try await stored("vm1", in: daemon))
        #expect(await eventually { mirrored("vm1", in: daemon) == created })
        try FileManager.default.removeItem(atPath: daemon.directory + "/instances/vm1.json")

        let env = await daemon.manager.env
        let restarted = InstanceManager.testing(env: env)
        try await restarted.load()
        #expect(await eventually { mirrored("vm1", in: daemon) == created })
    }
}
