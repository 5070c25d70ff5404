import Activity
import Foundation
import JoistAPI
import JoistCore
import Testing

@Suite("AuditLog", .timeLimit(.minutes(1)))
struct AuditLogTests {
    static let base = Date(timeIntervalSince1970: 1_700_000_000.125)

    static func draft(
        _ offset: TimeInterval, actor: String = "alice", project: String? = "default",
        action: String = "instance.create", outcome: AuditEntry.Outcome = .succeeded
    ) -> AuditEntry {
        AuditEntry(
            at: base + offset, actor: actor, role: "operator", project: project, action: action, target: "web-1",
            method: "POST", path: "/1.0/instances", status: outcome == .succeeded ? 201 : 403, outcome: outcome,
            error: outcome == .succeeded ? nil : "forbidden")
    }

    /// Recorded in this order, ids 1 to 6.
    static let fixture: [AuditEntry] = [
        draft(0),
        draft(1, actor: "bob", project: "web"),
        draft(2, project: nil, action: "token.create"),
        draft(3, actor: "bob", action: "instance.delete", outcome: .denied),
        draft(4, project: "web", action: "instance.delete", outcome: .failed),
        draft(5.5, actor: "carol", project: "default"),
    ]

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let query: AuditQuery
        let ids: [Int64]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "everything", query: AuditQuery(), ids: [1, 2, 3, 4, 5, 6]),
        Case(name: "project, never global entries", query: AuditQuery(project: "default"), ids: [1, 4, 6]),
        Case(name: "actor", query: AuditQuery(actor: "bob"), ids: [2, 4]),
        Case(name: "action", query: AuditQuery(action: "instance.delete"), ids: [4, 5]),
        Case(name: "outcome", query: AuditQuery(outcome: .denied), ids: [4]),
        Case(name: "since is inclusive", query: AuditQuery(since: base + 3), ids: [4, 5, 6]),
        Case(name: "until is exclusive", query: AuditQuery(until: base + 2), ids: [1, 2]),
        Case(name: "a time range", query: AuditQuery(since: base + 1, until: base + 5), ids: [2, 3, 4, 5]),
        Case(name: "filters combine", query: AuditQuery(project: "web", action: "instance.delete"), ids: [5]),
        Case(name: "after and limit", query: AuditQuery(after: 2, limit: 2), ids: [3, 4]),
        Case(name: "limit zero", query: AuditQuery(limit: 0), ids: []),
        Case(name: "no match", query: AuditQuery(actor: "mallory"), ids: []),
    ]

    @Test("queries select by every filter, oldest first", arguments: cases)
    func query(_ testCase: Case) throws {
        let log = try AuditLog.inMemory()
        let recorded = try Self.fixture.map(log.record)
        #expect(recorded.map(\.id) == [1, 2, 3, 4, 5, 6])
        let expected = recorded.filter { testCase.ids.contains($0.id) }
        #expect(try log.query(testCase.query) == expected)
    }

    @Test("an entry reads back exactly as record returned it")
    func roundTrip() throws {
        let log = try AuditLog.inMemory()
        let draft = Self.draft(0.000_123, project: nil, outcome: .failed)
        let entry = try log.record(draft)
        #expect(entry.actor == draft.actor)
        #expect(entry.project == nil)
        #expect(entry.error == "forbidden")
        #expect(abs(entry.at.timeIntervalSince(draft.at)) < 0.000_001)
        #expect(try log.query(AuditQuery()) == [entry])
    }

    @Test("pages follow with after=last id until a short page")
    func pagination() throws {
        let log = try AuditLog.inMemory()
        for offset in 0..<5 { try log.record(Self.draft(TimeInterval(offset))) }
        var pages: [[Int64]] = []
        var after: Int64?
        while pages.count < 10 {
            let page = try log.query(AuditQuery(after: after, limit: 2))
            pages.append(page.map(\.id))
            guard page.count == 2, let last = page.last else { break }
            after = last.id
        }
        #expect(pages == [[1, 2], [3, 4], [5]])
    }

    @Test("record publishes each entry on the bus")
    func publishes() async throws {
        let bus = EventBus()
        let subscription = bus.subscribe(EventFilter(types: [.audit]))
        let log = try AuditLog.inMemory(events: bus)
        let first = try log.record(Self.draft(0))
        let global = try log.record(Self.draft(1, project: nil, action: "token.revoke"))

        let events = await collect(subscription.events) { $0.count == 2 }
        #expect(events == [Event.audit(first), Event.audit(global)])
        #expect(events.map(\.project) == ["default", nil])
    }

    @Test("prune deletes old entries and ids are never reused")
    func prune() throws {
        let log = try AuditLog.inMemory()
        for draft in Self.fixture { try log.record(draft) }
        #expect(try log.prune(olderThan: Self.base + 3) == 3)
        #expect(try log.query(AuditQuery()).map(\.id) == [4, 5, 6])
        #expect(try log.prune(olderThan: Self.base + 3) == 0)
        #expect(try log.prune(olderThan: Self.base + 100) == 3)
        #expect(try log.record(Self.draft(200)).id == 7)
    }

    @Test("a file log keeps its entries across reopening and continues its ids")
    func persistence() throws {
        try withScratchDirectory { directory in
            let path = directory.appending(path: "audit.db").path
            var recorded: [AuditEntry] = []
            do {
                let log = try AuditLog(path: path)
                recorded = try Self.fixture.prefix(2).map(log.record)
            }
            let reopened = try AuditLog(path: path)
            #expect(try reopened.query(AuditQuery()) == recorded)
            #expect(try reopened.record(Self.draft(10)).id == 3)
            #expect(try reopened.query(AuditQuery(actor: "bob")) == [recorded[1]])
        }
    }

    @Test("opening a log in a missing directory is a host failure")
    func openFailure() {
        let error = #expect(throws: JoistError.self) {
            try AuditLog(path: "/nonexistent-joist-dir/audit.db")
        }
        #expect(error?.code == .hostFailure)
        #expect(error?.message.hasPrefix("failed to open the audit log at /nonexistent-joist-dir/audit.db") == true)
    }
}
