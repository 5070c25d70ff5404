import Foundation
import HTTPTypes
import JoistAPI
import JoistCore
import JoistTesting
import Networking
import Testing

@testable import APIServer
@testable import Daemon

@Suite("API: port forwards")
struct NetworkForwardAPITests {
    static func conforms(_ answer: APIClientHelper.Answer, _ method: String, _ template: String) -> [String] {
        APIBehaviourTests.conforms(answer, method, template)
    }

    /// A `nat` network `web` with instance `vm1` in `default` and `db` in `team` on it.
    static func fixture() async throws -> APIFixture {
        let fixture = try await APIFixture.make()
        _ = try await fixture.services.networks.create(NetworkCreate(name: "web", type: .nat, subnet: try IPv4Subnet(parsing: "10.77.0.0/24")))
        let kernel = fixture.kernel
        try await fixture.withLocalClient { local in
            for (name, project) in [("vm1", "default"), ("db", "team")] {
                let body = #"{"name": "\#(name)", "kernel": "\#(kernel)", "memory": "64MiB", "nics": ["network=web"]}"#
                let created = try await local.request(.post, "/1.0/instances?project=\(project)", as: .anonymous, body: body)
                #expect(created.status == 201, "\(created.json)")
            }
        }
        return fixture
    }

    @Test("operators add and remove forwards to their project's instances; each project sees its own")
    func addListRemove() async throws {
        let fixture = try await Self.fixture()
        defer { fixture.cleanUp() }
        let host = fixture.network
        try await fixture.withClient { client in
            let body = #"{"listenAddress": "0.0.0.0", "listenPort": 8080, "instance": "vm1", "targetPort": 80}"#
            #expect(try await client.request(.post, "/1.0/networks/web/forwards", as: .viewer, body: body).status == 403)
            let created = try await client.request(.post, "/1.0/networks/web/forwards", as: .operator, body: body)
            #expect(created.status == 201, "\(created.json)")
            #expect(Self.conforms(created, "post", "/1.0/networks/{network}/forwards") == [])
            let forward = try created.decode(NetworkForwardInfo.self)
            #expect(forward.id == "tcp-0.0.0.0-8080" && forward.project == "default" && forward.proto == .tcp)
            #expect(forward.targetAddress.description.hasPrefix("10.77.0."))
            #expect(host.ruleset?.script.contains("dnat ip to \(forward.targetAddress):80") == true)

            // A team token names the team's instances only.
            let other = try await client.request(.post, "/1.0/networks/web/forwards", as: .teamOperator, body: body)
            #expect(other.status == 404)
            #expect(Self.conforms(other, "post", "/1.0/networks/{network}/forwards") == [])
            let clash = try await client.request(
                .post, "/1.0/networks/web/forwards", as: .teamOperator,
                body: #"{"proto": "tcp", "listenAddress": "127.0.0.1", "listenPort": 8080, "instance": "db", "targetPort": 5432}"#)
            #expect(clash.status == 409 && clash.errorCode == "already_exists")
            let udp = try await client.request(
                .post, "/1.0/networks/web/forwards", as: .teamOperator,
                body: #"{"proto": "udp", "listenAddress": "0.0.0.0", "listenPort": 8080, "instance": "db", "targetPort": 53}"#)
            #expect(udp.status == 201)

            let list = try await client.request(.get, "/1.0/networks/web/forwards", as: .viewer)
            #expect(Self.conforms(list, "get", "/1.0/networks/{network}/forwards") == [])
            #expect(try list.decode(Page<NetworkForwardInfo>.self).items.map(\.id) == ["tcp-0.0.0.0-8080"])
            let team = try await client.request(.get, "/1.0/networks/web/forwards", as: .teamViewer).decode(Page<NetworkForwardInfo>.self)
            #expect(team.items.map(\.id) == ["udp-0.0.0.0-8080"])
            let asked = try await client.request(.get, "/1.0/networks/web/forwards?project=team", as: .viewer).decode(Page<NetworkForwardInfo>.self)
            #expect(asked.items.map(\.instance) == ["db"])
            #expect(try await client.request(.get, "/1.0/networks/web/forwards?project=default", as: .teamViewer).status == 403)
            let missing = try await client.request(.get, "/1.0/networks/nope/forwards", as: .viewer)
            #expect(missing.status == 404)
            #expect(Self.conforms(missing, "get", "/1.0/networks/{network}/forwards") == [])

            let hidden = try await client.request(.delete, "/1.0/networks/web/forwards/tcp-0.0.0.0-8080", as: .teamOperator)
            #expect(hidden.status == 404)
            #expect(try await client.request(.delete, "/1.0/networks/web/forwards/tcp-0.0.0.0-8080", as: .viewer).status == 403)
            let bad = try await client.request(.delete, "/1.0/networks/web/forwards/tcp-0.0.0.0", as: .operator)
            #expect(bad.status == 400)
            #expect(Self.conforms(bad, "delete", "/1.0/networks/{network}/forwards/{id}") == [])
            let deleted = try await client.request(.delete, "/1.0/networks/web/forwards/tcp-0.0.0.0-8080", as: .operator)
            #expect(deleted.status == 204)
            #expect(Self.conforms(deleted, "delete", "/1.0/networks/{network}/forwards/{id}") == [])
            #expect(host.ruleset?.script.contains("dport 8080 dnat ip to") == true, "the team's udp forward stays")
            #expect(host.ruleset?.script.contains("tcp dport 8080 dnat") == false)

            let audit = try await client.request(.get, "/1.0/audit?action=network.forward-create", as: .admin).decode(Page<AuditEntry>.self)
            #expect(audit.items.map(\.status) == [403, 201, 404, 409, 201])
            #expect(audit.items[1].target == "web/tcp-0.0.0.0-8080" && audit.items[4].project == "team")
        }
    }

    @Test("malformed forwards are refused with 400 and change nothing on the host")
    func badRequests() async throws {
        let fixture = try await Self.fixture()
        defer { fixture.cleanUp() }
        let applied = fixture.network.count(.applyRuleset)
        try await fixture.withClient { client in
            for (body, message) in [
                (#"{"listenAddress": "0.0.0.0", "listenPort": 8080, "instance": "vm1"}"#, "targetPort"),
                (#"{"listenAddress": "0.0.0.0", "listenPort": 70000, "instance": "vm1", "targetPort": 80}"#, "invalid request body"),
                (#"{"listenAddress": "localhost", "listenPort": 8080, "instance": "vm1", "targetPort": 80}"#, "localhost"),
                (#"{"proto": "sctp", "listenAddress": "0.0.0.0", "listenPort": 8080, "instance": "vm1", "targetPort": 80}"#, "proto"),
                (#"{"listenAddress": "0.0.0.0", "listenPort": 8080, "instance": "vm1", "targetPort": 80, "to": "x"}"#, "unknown field"),
                (#"{"listenAddress": "0.0.0.0", "listenPort": 0, "instance": "vm1", "targetPort": 80}"#, "ports must be from 1 to 65535"),
                (#"{"listenAddress": "10.77.0.9", "listenPort": 8080, "instance": "vm1", "targetPort": 80}"#, "belongs to the guests"),
            ] {
                let answer = try await client.request(.post, "/1.0/networks/web/forwards", as: .operator, body: body)
                #expect(answer.status == 400, "\(body): \(answer.json)")
                #expect(answer.json.description.contains(message), "\(answer.json)")
                #expect(Self.conforms(answer, "post", "/1.0/networks/{network}/forwards") == [])
            }
        }
        #expect(fixture.network.count(.applyRuleset) == applied)
    }
}
