import Activity
import JoistAPI
import Testing

/// Progress reaches the event bus throttled, and the operation's end always does.
@Suite("Operation progress", .timeLimit(.minutes(1)))
struct OperationProgressTests {
    let bus = EventBus()

    @Test("the bus sees the start, the first progress inside a window, and the end with the last progress")
    func throttled() async throws {
        // A window far longer than the test: only the first update may be published before the end.
        let manager = OperationManager(events: bus, progressInterval: .seconds(3600))
        let subscription = bus.subscribe(EventFilter(types: [.operation]))
        let started = await manager.start(
            action: "image.import", description: "Importing image debian", project: "default", resources: [],
            requestedBy: "local"
        ) { context in
            for done in 1...100 {
                await context.progress(OperationProgress(done: Int64(done), total: 100, unit: "bytes"))
            }
            return nil
        }

        let events = await collect(subscription.events, until: endsWithFinalOperation)
        let operations = events.compactMap(\.operation)
        #expect(operations.allSatisfy { $0.id == started.id })
        #expect(operations.map(\.status) == [.running, .running, .succeeded])
        #expect(operations.map(\.progress?.done) == [nil, 1, 100])
        #expect(await manager.get(started.id)?.progress == OperationProgress(done: 100, total: 100, unit: "bytes"))
    }

    @Test("an update held back by the throttle is published when its window ends")
    func trailingUpdate() async throws {
        let manager = OperationManager(events: bus, progressInterval: .milliseconds(50))
        let subscription = bus.subscribe(EventFilter(types: [.operation]))
        let gate = Gate()
        _ = await manager.start(
            action: "instance.stop", description: "Stopping instance web-1", project: "default", resources: [],
            requestedBy: "local"
        ) { context in
            await context.progress(OperationProgress(done: 1, stage: "asking the guest to power off"))
            await context.progress(OperationProgress(done: 2, stage: "waiting for the guest to power off"))
            await gate.wait()
            return nil
        }

        // Without the trailing flush, nothing more arrives until the gate opens, and this times out.
        let events = await collect(subscription.events) { $0.last?.operation?.progress?.done == 2 }
        gate.open()
        let operations = events.compactMap(\.operation)
        #expect(operations.map(\.progress?.done) == [nil, 1, 2])
        #expect(operations.last?.status == .running)
        #expect(operations.last?.progress?.stage == "waiting for the guest to power off")
    }

    @Test("events follow the operation's project, so project-scoped subscribers see their own")
    func scoped() async throws {
        let manager = OperationManager(events: bus)
        let mine = bus.subscribe(EventFilter(types: [.operation], projects: ["mine"]))
        let other = await manager.start(
            action: "instance.start", description: "Starting instance a", project: "other", resources: [],
            requestedBy: "local"
        ) { _ in nil }
        _ = try #require(await manager.wait(other.id, timeout: .seconds(30)))
        let own = await manager.start(
            action: "instance.start", description: "Starting instance b", project: "mine", resources: [],
            requestedBy: "local"
        ) { _ in nil }

        let events = await collect(mine.events, until: endsWithFinalOperation)
        #expect(Set(events.compactMap(\.operation?.id)) == [own.id])
        #expect(events.allSatisfy { $0.project == "mine" })
    }
}
