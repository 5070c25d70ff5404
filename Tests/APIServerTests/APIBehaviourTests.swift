import Foundation
import HTTPTypes
import JoistAPI
import JoistCore
import JoistTesting
import Testing

@testable import APIServer

@Suite("API behaviour over tokens")
struct APIBehaviourTests {
    static let spec = try! OpenAPIDocument(contentsOf: RepositoryFile.path("openapi.yaml"))

    /// Checks an answer against the spec's response for that route and status.
    static func conforms(_ answer: APIClientHelper.Answer, _ method: String, _ template: String) -> [String] {
        spec.validateResponse(
            method: method, path: template, status: answer.status, body: answer.body,
            contentType: answer.headers[.contentType])
    }

    @Test("projects isolate instances; a project-bound token works in its project and nowhere else")
    func isolation() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        // Instances name a kernel on joistd's host, so the local administrator creates them.
        let inTeam = try await fixture.createInstance("web", in: "team")
        #expect(inTeam.status == 201)
        #expect(Self.conforms(inTeam, "post", "/1.0/instances") == [])
        #expect(try inTeam.decode(Instance.self).project == "team")
        #expect(try await fixture.createInstance("web").status == 201)
        try await fixture.withClient { client in
            let patch = #"{"settings": [{"key": "cpus", "value": "2"}]}"#
            let changed = try await client.request(.patch, "/1.0/instances/web/config", as: .teamOperator, body: patch)
            #expect(changed.status == 200)
            #expect(try changed.decode(Instance.self).project == "team")
            #expect(try await client.request(.patch, "/1.0/instances/web/config?project=default", as: .teamOperator, body: patch).status == 403)
            #expect(try await client.request(.get, "/1.0/instances/web", as: .viewer).decode(Instance.self).config.cpus == 1)

            let teamList = try await client.request(.get, "/1.0/instances", as: .teamViewer)
            #expect(Self.conforms(teamList, "get", "/1.0/instances") == [])
            #expect(try teamList.decode(Page<Instance>.self).items.map(\.project) == ["team"])
            let defaultList = try await client.request(.get, "/1.0/instances", as: .viewer)
            #expect(try defaultList.decode(Page<Instance>.self).items.map(\.project) == ["default"])
            let globalView = try await client.request(.get, "/1.0/instances?project=team", as: .viewer)
            #expect(try globalView.decode(Page<Instance>.self).items.map(\.project) == ["team"])

            #expect(try await client.request(.get, "/1.0/instances/web?project=default", as: .teamViewer).status == 403)
            #expect(try await client.request(.get, "/1.0/instances/web?project=nope", as: .viewer).status == 404)
            #expect(try await client.request(.get, "/1.0/instances/web?project=Bad,Name", as: .viewer).status == 400)
            let projects = try await client.request(.get, "/1.0/projects", as: .teamAdmin)
            #expect(try projects.decode(Page<ProjectInfo>.self).items.map(\.project.name) == ["team"])
            #expect(Self.conforms(projects, "get", "/1.0/projects") == [])
        }
    }

    @Test("the project's instance limit answers 429 quota_exceeded, to the local administrator too")
    func quota() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        for name in ["a", "b"] {
            #expect(try await fixture.createInstance(name, in: "team").status == 201)
        }
        let third = try await fixture.createInstance("c", in: "team")
        #expect(third.status == 429)
        #expect(third.errorCode == "quota_exceeded")
        #expect(Self.conforms(third, "post", "/1.0/instances") == [])
        try await fixture.withClient { client in
            let info = try await client.request(.get, "/1.0/projects/team", as: .teamViewer)
            #expect(try info.decode(ProjectInfo.self).usage.instances == 2)
            #expect(Self.conforms(info, "get", "/1.0/projects/{name}") == [])
        }
    }

    @Test("a stale If-Match is 412 and changes nothing; the current one is accepted")
    func etags() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        try await fixture.createInstance("vm")
        try await fixture.withClient { client in
            let read = try await client.request(.get, "/1.0/instances/vm", as: .viewer)
            let etag = try #require(read.headers[.eTag])
            let patch = #"{"settings": [{"key": "cpus", "value": "2"}]}"#
            let first = try await client.request(.patch, "/1.0/instances/vm/config", as: .operator, body: patch, headers: [.ifMatch: etag])
            #expect(first.status == 200)
            #expect(first.headers[.eTag] != etag)
            #expect(Self.conforms(first, "patch", "/1.0/instances/{name}/config") == [])
            let stale = try await client.request(
                .patch, "/1.0/instances/vm/config", as: .operator, body: #"{"settings": [{"key": "cpus", "value": "1"}]}"#,
                headers: [.ifMatch: etag])
            #expect(stale.status == 412)
            #expect(stale.errorCode == "precondition_failed")
            #expect(try await client.request(.get, "/1.0/instances/vm", as: .viewer).decode(Instance.self).config.cpus == 2)

            let project = try await client.request(.get, "/1.0/projects/team", as: .admin)
            let projectTag = try #require(project.headers[.eTag])
            let update = try await client.request(.patch, "/1.0/projects/team", as: .admin, body: #"{"limits": {"instances": 3}}"#, headers: [.ifMatch: projectTag])
            #expect(update.status == 200)
            let staleProject = try await client.request(.patch, "/1.0/projects/team", as: .admin, body: #"{"limits": {"instances": 9}}"#, headers: [.ifMatch: projectTag])
            #expect(staleProject.status == 412)
            #expect(try update.decode(ProjectInfo.self).project.limits.instances == 3)
        }
    }

    @Test("bad bodies: unknown fields 400, oversized 413, not JSON 400")
    func bodies() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        try await fixture.withClient { client in
            let unknown = try await client.request(.post, "/1.0/projects", as: .admin, body: #"{"name": "x", "colour": "red"}"#)
            #expect(unknown.status == 400)
            #expect(unknown.json.description.contains("colour"))
            let huge = "{\"name\": \"" + String(repeating: "a", count: APIServer.maxBodySize + 10) + "\"}"
            let oversized = try await client.request(.post, "/1.0/projects", as: .admin, body: huge)
            #expect(oversized.status == 413)
            #expect(oversized.errorCode == "too_large")
            #expect(try await client.request(.post, "/1.0/projects", as: .admin, body: "[1").status == 400)
            #expect(try await client.request(.get, "/1.0/instances?limit=0", as: .viewer).status == 400)
            #expect(try await client.request(.get, "/1.0/instances?limit=abc", as: .viewer).status == 400)
        }
    }

    @Test("state changes answer 202 with an operation that records its outcome; audit shows who did what")
    func operationsAndAudit() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        try await fixture.createInstance("vm")
        try await fixture.withClient { client in
            // Pausing a stopped instance fails: the operation is accepted, then fails with the reason.
            let accepted = try await client.request(.put, "/1.0/instances/vm/state", as: .operator, body: #"{"action": "pause"}"#)
            #expect(accepted.status == 202)
            #expect(Self.conforms(accepted, "put", "/1.0/instances/{name}/state") == [])
            let operation = try accepted.decode(JoistAPI.Operation.self)
            #expect(accepted.headers[.location] == "/1.0/operations/\(operation.id)")
            let waited = try await client.request(.get, "/1.0/operations/\(operation.id)/wait?timeout=10", as: .viewer)
            #expect(Self.conforms(waited, "get", "/1.0/operations/{id}/wait") == [])
            let final = try waited.decode(JoistAPI.Operation.self)
            #expect(final.status == .failed)
            #expect(final.error?.code == "invalid_state")
            #expect(final.requestedBy == "operator")
            // Project-bound callers do not see other projects' operations.
            #expect(try await client.request(.get, "/1.0/operations/\(operation.id)", as: .teamAdmin).status == 404)

            let deleted = try await client.request(.delete, "/1.0/instances/vm", as: .operator)
            #expect(deleted.status == 202)
            let deletion = try deleted.decode(JoistAPI.Operation.self)
            let done = try await client.request(.get, "/1.0/operations/\(deletion.id)/wait?timeout=10", as: .viewer)
            #expect(try done.decode(JoistAPI.Operation.self).status == .succeeded)

            let audit = try await client.request(.get, "/1.0/audit?actor=operator", as: .admin)
            #expect(Self.conforms(audit, "get", "/1.0/audit") == [])
            let entries = try audit.decode(Page<AuditEntry>.self).items
            #expect(entries.map(\.action) == ["instance.pause", "instance.delete"])
            #expect(entries.map(\.outcome) == [.failed, .succeeded])
            #expect(entries.allSatisfy { $0.actor == "operator" && $0.project == "default" })
            let created = try await client.request(.get, "/1.0/audit?action=instance.create", as: .admin).decode(Page<AuditEntry>.self).items
            #expect(created.map { "\($0.actor) \($0.target ?? "") \($0.outcome.rawValue) \($0.status)" } == ["local vm succeeded 201"])
            // Denied attempts are recorded too.
            _ = try await client.request(.post, "/1.0/tokens", as: .viewer, body: #"{"name": "x", "role": "admin"}"#)
            let denied = try await client.request(.get, "/1.0/audit?outcome=denied", as: .admin)
            #expect(try denied.decode(Page<AuditEntry>.self).items.map(\.action) == ["token.create"])
        }
    }

    @Test("revoked tokens are refused at once; failed authentications are throttled with 429")
    func revocationAndThrottle() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        try await fixture.withClient { client in
            #expect(try await client.request(.get, "/1.0", as: .viewer).status == 200)
            #expect(try await client.request(.delete, "/1.0/tokens/viewer", as: .admin).status == 204)
            let refused = try await client.request(.get, "/1.0", as: .viewer)
            #expect(refused.status == 401)
            #expect(refused.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(Self.conforms(refused, "get", "/1.0") == [])
        }
        let throttle = AuthThrottle(limit: 3, window: 60)
        for _ in 0..<3 { throttle.recordFailure("10.0.0.1") }
        let error = #expect(throws: JoistError.self) { try throttle.check("10.0.0.1") }
        #expect(error?.code == .rateLimited)
        try throttle.check("10.0.0.2")
        try throttle.check("10.0.0.1", now: Date().addingTimeInterval(61))
    }
}
