import Activity
import Foundation
import JoistAPI
import JoistCore
import Testing

/// Outcomes, cancellation, listing and retention of operations.
@Suite("OperationManager", .timeLimit(.minutes(1)))
struct OperationManagerTests {
    let bus = EventBus()

    /// Starts an operation in `project` with `work`, with the fields tests do not care about filled in.
    static func start(
        _ manager: OperationManager, project: String = "default", mayCancel: Bool = true,
        work: @escaping @Sendable (OperationContext) async throws -> [String: String]?
    ) async -> JoistAPI.Operation {
        await manager.start(
            action: "instance.start", description: "Starting instance web-1", project: project,
            resources: ["/1.0/instances/web-1"], requestedBy: "local", mayCancel: mayCancel, work: work)
    }

    /// The operation once final; fails the test if it is not final within the generous timeout.
    static func final(_ manager: OperationManager, _ id: String) async throws -> JoistAPI.Operation {
        let operation = try #require(await manager.wait(id, timeout: .seconds(30)))
        try #require(operation.status.isFinal, "operation \(id) did not finish: \(operation.status)")
        return operation
    }

    @Test("start answers at once with a running operation that describes the work")
    func startSnapshot() async throws {
        let manager = OperationManager(events: bus)
        let gate = Gate()
        let started = await Self.start(manager) { _ in
            await gate.wait()
            return nil
        }
        #expect(started.status == .running)
        #expect(started.id == started.id.lowercased())
        #expect(UUID(uuidString: started.id) != nil)
        #expect(started.action == "instance.start")
        #expect(started.resources == ["/1.0/instances/web-1"])
        #expect(started.requestedBy == "local")
        #expect(await manager.get(started.id) == started)
        #expect(await manager.runningCount() == 1)
        gate.open()
        _ = try await Self.final(manager, started.id)
        #expect(await manager.runningCount() == 0)
    }

    @Test("work that returns succeeds with its result")
    func success() async throws {
        let manager = OperationManager(events: bus)
        let started = await Self.start(manager) { _ in ["instance": "web-1"] }
        let operation = try await Self.final(manager, started.id)
        #expect(operation.status == .succeeded)
        #expect(operation.result == ["instance": "web-1"])
        #expect(operation.error == nil)
        #expect(await manager.get(started.id) == operation)
    }

    @Test(
        "a thrown error fails the operation with its code",
        arguments: [
            (JoistError.invalidState("instance web-1 is already running") as any Error, "invalid_state",
             "instance web-1 is already running"),
            (JoistError.hostFailure("failed to start instance web-1: qemu exited") as any Error, "host_failure",
             "failed to start instance web-1: qemu exited"),
            (DiskOnFire() as any Error, "internal", "the disk is on fire"),
        ])
    func failure(error: any Error, code: String, message: String) async throws {
        let manager = OperationManager(events: bus)
        let started = await Self.start(manager) { _ in throw error }
        let operation = try await Self.final(manager, started.id)
        #expect(operation.status == .failed)
        #expect(operation.error?.code == code)
        #expect(operation.error?.message == message)
        #expect(operation.result == nil)
    }

    @Test("cancelling work that sleeps ends it cancelled")
    func cancelSleepingWork() async throws {
        let manager = OperationManager(events: bus)
        let started = await Self.start(manager) { _ in
            try await Task.sleep(for: .seconds(3600))
            return ["finished": "yes"]
        }
        let requested = try await manager.cancel(started.id)
        #expect(requested.id == started.id)
        let operation = try await Self.final(manager, started.id)
        #expect(operation.status == .cancelled)
        #expect(operation.error?.code == "cancelled")
        #expect(operation.result == nil)
    }

    @Test("work deaf to task cancellation sees the request through its context")
    func cancelThroughContext() async throws {
        let manager = OperationManager(events: bus)
        let gate = Gate()
        let started = await Self.start(manager) { context in
            await gate.wait()
            try context.checkCancellation()
            return nil
        }
        _ = try await manager.cancel(started.id)
        gate.open()
        let operation = try await Self.final(manager, started.id)
        #expect(operation.status == .cancelled)
        #expect(operation.error?.code == "cancelled")
    }

    @Test("after a cancel request any error the work throws counts as the cancellation")
    func errorAfterCancel() async throws {
        let manager = OperationManager(events: bus)
        let gate = Gate()
        let started = await Self.start(manager) { _ in
            await gate.wait()
            throw JoistError.hostFailure("qemu went away")
        }
        _ = try await manager.cancel(started.id)
        gate.open()
        #expect(try await Self.final(manager, started.id).status == .cancelled)
    }

    @Test("cancelling an unknown operation is not_found")
    func cancelUnknown() async {
        let manager = OperationManager(events: bus)
        let error = await #expect(throws: JoistError.self) { try await manager.cancel("no-such-id") }
        #expect(error?.code == .notFound)
    }

    @Test("cancelling a finished operation is invalid_state and changes nothing")
    func cancelFinished() async throws {
        let manager = OperationManager(events: bus)
        let started = await Self.start(manager) { _ in nil }
        let finished = try await Self.final(manager, started.id)
        let error = await #expect(throws: JoistError.self) { try await manager.cancel(started.id) }
        #expect(error?.code == .invalidState)
        #expect(await manager.get(started.id) == finished)
    }

    @Test("an operation that may not be cancelled refuses with invalid_state and runs on")
    func cancelRefused() async throws {
        let manager = OperationManager(events: bus)
        let gate = Gate()
        let started = await Self.start(manager, mayCancel: false) { context in
            await gate.wait()
            try context.checkCancellation()
            return nil
        }
        let error = await #expect(throws: JoistError.self) { try await manager.cancel(started.id) }
        #expect(error?.code == .invalidState)
        gate.open()
        #expect(try await Self.final(manager, started.id).status == .succeeded)
    }

    @Test("list filters by project and status and sorts by creation")
    func list() async throws {
        let time = ManualTime()
        let manager = OperationManager(events: bus, now: { time.now })
        let gate = Gate()
        var ids: [String] = []
        for project in ["b", "a", "b"] {
            time.advance(by: 1)
            ids.append(await Self.start(manager, project: project) { _ in nil }.id)
        }
        time.advance(by: 1)
        let running = await Self.start(manager, project: "a") { _ in
            await gate.wait()
            return nil
        }
        for id in ids { _ = try await Self.final(manager, id) }

        #expect(await manager.list().map(\.id) == ids + [running.id])
        #expect(await manager.list(project: "b").map(\.id) == [ids[0], ids[2]])
        #expect(await manager.list(project: "a").map(\.id) == [ids[1], running.id])
        #expect(await manager.list(statuses: [.running]).map(\.id) == [running.id])
        #expect(await manager.list(project: "a", statuses: [.succeeded, .failed]).map(\.id) == [ids[1]])
        #expect(await manager.list(project: "c").isEmpty)
        gate.open()
    }

    @Test("only the newest maxFinished finished operations are kept; running ones always are")
    func maxFinished() async throws {
        let manager = OperationManager(events: bus, maxFinished: 2)
        let gate = Gate()
        let running = await Self.start(manager) { _ in
            await gate.wait()
            return nil
        }
        var finished: [String] = []
        for _ in 0..<4 {
            let id = await Self.start(manager) { _ in nil }.id
            _ = try await Self.final(manager, id)
            finished.append(id)
        }

        let kept = Set(await manager.list().map(\.id))
        #expect(kept == [running.id, finished[2], finished[3]])
        #expect(await manager.get(finished[0]) == nil)
        gate.open()
    }

    @Test("finished operations are forgotten once older than the retention")
    func retentionAge() async throws {
        let time = ManualTime()
        let manager = OperationManager(events: bus, retention: .seconds(60), now: { time.now })
        let started = await Self.start(manager) { _ in nil }
        _ = try await Self.final(manager, started.id)

        time.advance(by: 59)
        #expect(await manager.list().map(\.id) == [started.id])
        time.advance(by: 2)
        #expect(await manager.list().isEmpty)
        #expect(await manager.get(started.id) == nil)
    }

    @Test("an operation a previous daemon never finished is remembered as failed with the reason, once")
    func recordInterrupted() async throws {
        let manager = OperationManager(events: bus)
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let earlier = JoistAPI.Operation(
            id: "0b6f2c1e-0000-4000-8000-000000000001", action: "instance.backup-create", description: "Backing up instance web-1",
            project: "default", resources: ["/1.0/instances/web-1"], status: .running, mayCancel: true, requestedBy: "local",
            createdAt: date, updatedAt: date)
        let failed = await manager.recordInterrupted(earlier, error: .hostFailure("backup b1 was interrupted"))
        #expect(failed.status == .failed && failed.error?.message == "backup b1 was interrupted")
        #expect(failed.createdAt == date && failed.updatedAt > date)
        #expect(await manager.get(earlier.id)?.status == .failed)
        #expect(await manager.list(statuses: [.failed]).map(\.id) == [earlier.id])
        #expect(await manager.runningCount() == 0)
        let again = await manager.recordInterrupted(earlier, error: .hostFailure("other"))
        #expect(again.error?.message == "backup b1 was interrupted")
    }
}
