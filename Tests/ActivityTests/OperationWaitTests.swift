@testable import Activity
import JoistAPI
import Testing

/// `wait`: returns at the end, at the timeout, or when its caller is cancelled, and leaves no waiter behind.
@Suite("OperationManager.wait", .timeLimit(.minutes(1)))
struct OperationWaitTests {
    let manager = OperationManager(events: EventBus())
    let gate = Gate()

    func startGated() async -> JoistAPI.Operation {
        await manager.start(
            action: "instance.stop", description: "Stopping instance web-1", project: "default", resources: [],
            requestedBy: "local"
        ) { [gate] _ in
            await gate.wait()
            return ["stopped": "web-1"]
        }
    }

    func waiterCount(_ id: String) async -> Int? {
        await manager.operations[id]?.waiters.count
    }

    @Test("wait returns as soon as the operation ends, long before its timeout")
    func returnsAtCompletion() async throws {
        let started = await startGated()
        let waiter = Task { [manager] in await manager.wait(started.id, timeout: .seconds(120)) }
        // Not needed for correctness; makes it likely the waiter blocks before the end.
        try await Task.sleep(for: .milliseconds(50))
        gate.open()

        let operation = try #require(await value(of: waiter, within: .seconds(60)))
        #expect(operation?.status == .succeeded)
        #expect(operation?.result == ["stopped": "web-1"])
        #expect(await waiterCount(started.id) == 0)
    }

    @Test("wait returns the running snapshot when the timeout passes")
    func returnsAtTimeout() async throws {
        let started = await startGated()
        let operation = await manager.wait(started.id, timeout: .milliseconds(100))
        #expect(operation?.status == .running)
        #expect(operation?.id == started.id)
        #expect(await waiterCount(started.id) == 0)
        gate.open()
    }

    @Test("a cancelled waiter returns promptly with the current snapshot")
    func cancelledWaiter() async throws {
        let started = await startGated()
        let waiter = Task { [manager] in await manager.wait(started.id, timeout: .seconds(3600)) }
        try await Task.sleep(for: .milliseconds(50))
        waiter.cancel()

        let operation = try #require(await value(of: waiter, within: .seconds(30)))
        #expect(operation?.status == .running)
        #expect(await waiterCount(started.id) == 0)
        gate.open()
    }

    @Test("several waiters all wake at the end")
    func severalWaiters() async throws {
        let started = await startGated()
        let waiters = (0..<5).map { _ in
            Task { [manager] in await manager.wait(started.id, timeout: .seconds(120)) }
        }
        try await Task.sleep(for: .milliseconds(50))
        gate.open()
        for waiter in waiters {
            let operation = try #require(await value(of: waiter, within: .seconds(30)))
            #expect(operation?.status == .succeeded)
        }
    }

    @Test("wait on an unknown operation is nil; on a finished one it returns at once")
    func unknownAndFinished() async throws {
        #expect(await manager.wait("no-such-id", timeout: .seconds(120)) == nil)
        gate.open()
        let started = await startGated()
        let operation = try #require(await manager.wait(started.id, timeout: .seconds(30)))
        #expect(operation.status == .succeeded)
        #expect(await manager.wait(started.id, timeout: .seconds(120)) == operation)
    }
}
