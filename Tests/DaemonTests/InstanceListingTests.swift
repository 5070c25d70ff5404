import Daemon
import Foundation
import JoistAPI
import Testing

@Suite("Instance listings")
struct InstanceListingTests {
    /// The cached listing must be byte for byte what encoding the page afresh gives.
    func expectListingsAgree(_ daemon: FakeDaemon, after: String? = nil, limit: Int) async throws {
        let fresh = try APICoding.encoder().encode(await daemon.manager.list(in: "default", after: after, limit: limit))
        let cached = try await daemon.manager.listJSON(in: "default", after: after, limit: limit)
        #expect(String(decoding: cached, as: UTF8.self) == String(decoding: fresh, as: UTF8.self))
    }

    @Test("the JSON listing is the encoded page, pages included, and follows every change")
    func cachedListingFollowsChanges() async throws {
        let launcher = FakeVMLauncher()
        let daemon = try FakeDaemon(launcher: launcher)
        defer { daemon.cleanUp() }
        for name in ["c", "a", "b"] { _ = try await daemon.create(name) }
        try await expectListingsAgree(daemon, limit: 10)
        try await expectListingsAgree(daemon, limit: 2)
        try await expectListingsAgree(daemon, after: "a", limit: 1)
        try await expectListingsAgree(daemon, after: "c", limit: 5)

        let b = try await daemon.manager.supervisor("b", in: "default")
        try await b.start()
        let running = try APICoding.decoder().decode(Page<Instance>.self, from: try await daemon.manager.listJSON(in: "default"))
        #expect(running.items.map(\.state) == [.stopped, .running, .stopped])
        try await expectListingsAgree(daemon, limit: 10)
        if let vm = launcher.last { await stop(vm, of: b, on: launcher) }

        _ = try await daemon.manager.updateConfig("a", in: "default", settings: [("cpus", "2")], ifMatch: nil)
        try await daemon.manager.delete("c", in: "default", force: false)
        let changed = try APICoding.decoder().decode(Page<Instance>.self, from: try await daemon.manager.listJSON(in: "default"))
        #expect(changed.items.map(\.name) == ["a", "b"])
        #expect(changed.items.map(\.config.cpus) == [2, 1])
        #expect(changed.items.map(\.state) == [.stopped, .stopped])
        try await expectListingsAgree(daemon, limit: 10)
    }
}
