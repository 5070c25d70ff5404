import Foundation
import JoistAPI
import JoistCore
import Testing

@testable import Daemon

@Suite("Projects and quotas")
struct ProjectQuotaTests {
    @Test("twenty concurrent creates against a limit of five create exactly five")
    func concurrentCreatesRespectTheLimit() async throws {
        let daemon = try FakeDaemon(launcher: FakeVMLauncher())
        defer { daemon.cleanUp() }
        try await daemon.manager.projects.load()
        _ = try await daemon.manager.projects.create(ProjectCreate(name: "team", limits: ProjectLimits(instances: 5)))
        let outcomes = await withTaskGroup(of: String.self) { group in
            for i in 0..<20 {
                group.addTask {
                    do {
                        _ = try await daemon.create("vm\(i)", in: "team")
                        return "created"
                    } catch let error as JoistError {
                        return error.code.rawValue
                    } catch {
                        return "\(error)"
                    }
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == "created" }.count == 5)
        #expect(outcomes.filter { $0 == JoistError.Code.quotaExceeded.rawValue }.count == 15)
        #expect(await daemon.manager.list(in: "team").items.count == 5)
        #expect(try await daemon.manager.projects.info("team").usage.instances == 5)
    }

    @Test("CPU and memory limits count every instance; deleting gives the room back")
    func resourceLimits() async throws {
        let daemon = try FakeDaemon(launcher: FakeVMLauncher())
        defer { daemon.cleanUp() }
        try await daemon.manager.projects.load()
        _ = try await daemon.manager.projects.create(
            ProjectCreate(name: "small", limits: ProjectLimits(memory: .mebibytes(128))))
        _ = try await daemon.create("a", in: "small")
        _ = try await daemon.create("b", in: "small")
        let error = await #expect(throws: JoistError.self) { _ = try await daemon.create("c", in: "small") }
        #expect(error?.code == .quotaExceeded)
        #expect(error?.message.contains("memory") == true)
        // Growing a stopped instance past the limit is refused too, and changes nothing.
        let grow = await #expect(throws: JoistError.self) {
            _ = try await daemon.manager.updateConfig("a", in: "small", settings: [("memory", "96MiB")], ifMatch: nil)
        }
        #expect(grow?.code == .quotaExceeded)
        #expect(try await daemon.manager.supervisor("a", in: "small").snapshot().config.memory == .mebibytes(64))
        try await daemon.manager.delete("b", in: "small", force: false)
        _ = try await daemon.create("c", in: "small")
        #expect(try await daemon.manager.projects.info("small").usage.memory == .mebibytes(128))
    }

    @Test("the same name lives in two projects without either seeing the other")
    func isolation() async throws {
        let daemon = try FakeDaemon(launcher: FakeVMLauncher())
        defer { daemon.cleanUp() }
        try await daemon.manager.projects.load()
        _ = try await daemon.manager.projects.create(ProjectCreate(name: "blue"))
        _ = try await daemon.create("web", in: "default")
        _ = try await daemon.create("web", in: "blue")
        _ = try await daemon.create("db", in: "blue")
        #expect(await daemon.manager.list(in: "default").items.map(\.name) == ["web"])
        #expect(await daemon.manager.list(in: "blue").items.map(\.name) == ["db", "web"])
        #expect(await daemon.manager.list(in: "blue").items.allSatisfy { $0.project == "blue" })
        await #expect(throws: JoistError.self) { _ = try await daemon.manager.supervisor("db", in: "default") }
        // A project that holds instances cannot be deleted; an empty one can.
        await #expect(throws: JoistError.self) { try await daemon.manager.projects.delete("blue") }
        try await daemon.manager.delete("web", in: "blue", force: false)
        try await daemon.manager.delete("db", in: "blue", force: false)
        try await daemon.manager.projects.delete("blue")
        #expect(await daemon.manager.projects.exists("blue") == false)
        await #expect(throws: JoistError.self) { try await daemon.manager.projects.delete("default") }
    }

    @Test("listings page by name")
    func paging() async throws {
        let daemon = try FakeDaemon(launcher: FakeVMLauncher())
        defer { daemon.cleanUp() }
        for name in ["e", "a", "d", "b", "c"] { _ = try await daemon.create(name) }
        let first = await daemon.manager.list(in: "default", limit: 2)
        #expect(first.items.map(\.name) == ["a", "b"])
        #expect(first.next == "b")
        let second = await daemon.manager.list(in: "default", after: first.next, limit: 2)
        #expect(second.items.map(\.name) == ["c", "d"])
        let last = await daemon.manager.list(in: "default", after: second.next, limit: 2)
        #expect(last.items.map(\.name) == ["e"])
        #expect(last.next == nil)
    }

    @Test("a config update with a stale ETag is refused and changes nothing")
    func staleETag() async throws {
        let daemon = try FakeDaemon(launcher: FakeVMLauncher())
        defer { daemon.cleanUp() }
        let vm = try await daemon.create("vm")
        let read = await vm.configETag()
        _ = try await daemon.manager.updateConfig("vm", in: "default", settings: [("cpus", "2")], ifMatch: read)
        let error = await #expect(throws: JoistError.self) {
            _ = try await daemon.manager.updateConfig("vm", in: "default", settings: [("cpus", "1")], ifMatch: read)
        }
        #expect(error?.code == .preconditionFailed)
        #expect(await vm.snapshot().config.cpus == 2)
        #expect(await vm.configETag() != read)
    }

    @Test("concurrent updates of one project either apply or are refused as a conflict; none is lost silently")
    func concurrentUpdates() async throws {
        let daemon = try FakeDaemon(launcher: FakeVMLauncher())
        defer { daemon.cleanUp() }
        let projects = daemon.manager.projects
        try await projects.load()
        _ = try await projects.create(ProjectCreate(name: "busy"))
        let outcomes = await withTaskGroup(of: (Int, String).self) { group in
            for cpus in 1...10 {
                group.addTask {
                    do {
                        _ = try await projects.update("busy", ProjectUpdate(limits: ProjectLimits(cpus: cpus)))
                        return (cpus, "applied")
                    } catch let error as JoistError {
                        return (cpus, error.code.rawValue)
                    } catch {
                        return (cpus, "\(error)")
                    }
                }
            }
            return await group.reduce(into: [(Int, String)]()) { $0.append($1) }
        }
        let applied = outcomes.filter { $0.1 == "applied" }.map(\.0)
        #expect(!applied.isEmpty)
        #expect(outcomes.allSatisfy { $0.1 == "applied" || $0.1 == JoistError.Code.invalidState.rawValue }, "\(outcomes)")
        // What is stored is one of the updates that reported success.
        let stored = try #require(try await projects.info("busy").project.limits.cpus)
        #expect(applied.contains(stored))
    }

    @Test("limits parse from name=value settings and refuse nonsense")
    func limitSettings() throws {
        let limits = try ProjectLimits().applying([("instances", "10"), ("memory", "32GiB"), ("disk", "500GiB"), ("cpus", "16")])
        #expect(limits == ProjectLimits(instances: 10, cpus: 16, memory: .gibibytes(32), disk: .gibibytes(500)))
        #expect(try limits.applying([("cpus", "none")]).cpus == nil)
        #expect(throws: JoistError.self) { try ProjectLimits().applying([("cpu", "1")]) }
        #expect(throws: JoistError.self) { try ProjectLimits().applying([("instances", "-1")]) }
        #expect(throws: JoistError.self) { try ProjectLimits().applying([("memory", "lots")]) }
    }
}
