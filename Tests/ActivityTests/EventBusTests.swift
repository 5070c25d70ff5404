import Activity
import Foundation
import JoistAPI
import Testing

@Suite("EventBus", .timeLimit(.minutes(1)))
struct EventBusTests {
    static func lifecycle(_ name: String, project: String?) -> Event {
        Event(
            type: .lifecycle, timestamp: Date(timeIntervalSince1970: 0), project: project,
            lifecycle: LifecycleEvent(action: "instance-updated", source: "/1.0/instances/\(name)", name: name))
    }

    static func audit(_ action: String, project: String?) -> Event {
        Event.audit(
            AuditEntry(
                id: 1, at: Date(timeIntervalSince1970: 0), actor: "local", role: "admin", project: project,
                action: action, target: nil, method: "POST", path: "/1.0/tokens", status: 201, outcome: .succeeded))
    }

    @Test("a subscriber gets only the kinds it asked for, in publish order")
    func typesFilter() async {
        let bus = EventBus()
        let subscription = bus.subscribe(EventFilter(types: [.lifecycle]))
        bus.publish(Self.audit("token.create", project: nil))
        bus.publish(Self.lifecycle("a", project: "default"))
        bus.publish(Self.audit("instance.create", project: "default"))
        bus.publish(Self.lifecycle("b", project: "default"))

        let events = await collect(subscription.events) { $0.count == 2 }
        #expect(events.map(\.lifecycle?.name) == ["a", "b"])
    }

    @Test("a project-scoped subscriber sees its projects only; global events reach unscoped subscribers only")
    func projectsFilter() async {
        let bus = EventBus()
        let scoped = bus.subscribe(EventFilter(projects: ["a", "c"]))
        let unscoped = bus.subscribe(.all)
        bus.publish(Self.lifecycle("in-a", project: "a"))
        bus.publish(Self.lifecycle("in-b", project: "b"))
        bus.publish(Self.audit("token.create", project: nil))
        bus.publish(Self.lifecycle("in-c", project: "c"))

        let scopedEvents = await collect(scoped.events) { $0.count == 2 }
        #expect(scopedEvents.map(\.project) == ["a", "c"])
        let all = await collect(unscoped.events) { $0.count == 4 }
        #expect(all.map(\.project) == ["a", "b", nil, "c"])
    }

    @Test("a subscriber restricted to no projects at all gets nothing")
    func emptyProjects() {
        let filter = EventFilter(projects: [])
        #expect(!filter.matches(Self.lifecycle("x", project: "a")))
        #expect(!filter.matches(Self.audit("token.create", project: nil)))
        #expect(EventFilter.all.matches(Self.audit("token.create", project: nil)))
    }

    @Test("a subscriber that does not read keeps the newest events and loses the oldest")
    func slowSubscriberDropsOldest() async {
        let bus = EventBus(bufferSize: 3)
        let subscription = bus.subscribe(.all)
        for index in 0..<10 {
            bus.publish(Self.lifecycle("vm-\(index)", project: "default"))
        }
        bus.unsubscribe(subscription.id)

        // The stream ends after what it buffered, so this collects everything that was kept.
        let events = await collect(subscription.events) { _ in false }
        #expect(events.map(\.lifecycle?.name) == ["vm-7", "vm-8", "vm-9"])
    }

    @Test("unsubscribe removes the subscriber and ends its stream")
    func unsubscribe() async {
        let bus = EventBus()
        let first = bus.subscribe(.all)
        let second = bus.subscribe(.all)
        #expect(bus.subscriberCount == 2)

        bus.unsubscribe(first.id)
        #expect(bus.subscriberCount == 1)
        bus.publish(Self.lifecycle("after", project: "default"))
        #expect(await collect(first.events) { _ in false }.isEmpty)
        #expect(await collect(second.events) { $0.count == 1 }.count == 1)
    }

    @Test("dropping a subscription's stream unsubscribes it")
    func droppedStreamUnsubscribes() {
        let bus = EventBus()
        do {
            let subscription = bus.subscribe(.all)
            #expect(bus.subscriberCount == 1)
            _ = subscription
        }
        #expect(bus.subscriberCount == 0)
    }

    @Test("cancelling the task that reads a subscription unsubscribes it")
    func terminationUnsubscribes() async {
        let bus = EventBus()
        let subscription = bus.subscribe(.all)
        let reader = Task {
            var count = 0
            for await _ in subscription.events { count += 1 }
            return count
        }
        bus.publish(Self.lifecycle("seen", project: "default"))
        #expect(bus.subscriberCount == 1)

        reader.cancel()
        _ = await reader.value
        #expect(bus.subscriberCount == 0)
    }
}
