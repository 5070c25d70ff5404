import Foundation
import HTTPTypes
import JoistAPI
import JoistCore
import JoistTesting
import Networking
import Testing

@testable import APIServer
@testable import Daemon

@Suite("API: networks")
struct NetworkAPITests {
    static func conforms(_ answer: APIClientHelper.Answer, _ method: String, _ template: String) -> [String] {
        APIBehaviourTests.conforms(answer, method, template)
    }

    @Test("global admins create and delete nat and isolated networks over TCP; everyone reads them, seeing their own project's users")
    func hostedNetworks() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        let host = fixture.network
        let networks = fixture.services.networks
        try await fixture.withClient { client in
            let body = #"{"name": "web", "type": "nat", "description": "front ends"}"#
            #expect(try await client.request(.post, "/1.0/networks", as: .teamAdmin, body: body).status == 403)
            #expect(try await client.request(.post, "/1.0/networks", as: .operator, body: body).status == 403)
            let created = try await client.request(.post, "/1.0/networks", as: .admin, body: body)
            #expect(created.status == 201)
            #expect(Self.conforms(created, "post", "/1.0/networks") == [])
            let web = try created.decode(NetworkInfo.self)
            #expect(web.config.subnet != nil && web.config.description == "front ends")
            #expect(host.bridges.keys.sorted() == [web.bridge])

            let isolated = try await client.request(
                .post, "/1.0/networks", as: .admin, body: #"{"name": "lab", "type": "isolated", "subnet": "10.77.0.0/24"}"#)
            #expect(isolated.status == 201)
            #expect(try isolated.decode(NetworkInfo.self).gateway?.description == "10.77.0.1")
            let overlapping = try await client.request(
                .post, "/1.0/networks", as: .admin, body: #"{"name": "lab2", "type": "nat", "subnet": "10.77.0.0/25"}"#)
            #expect(overlapping.status == 409)
            #expect(overlapping.json.description.contains("overlaps network lab"))
            #expect(Self.conforms(overlapping, "post", "/1.0/networks") == [])
            let taken = try await client.request(.post, "/1.0/networks", as: .admin, body: #"{"name": "lab", "type": "nat"}"#)
            #expect(taken.status == 409)
            #expect(taken.errorCode == "already_exists")

            try await networks.attach(network: "web", instance: InstanceKey(project: "team", name: "db"))
            try await networks.attach(network: "web", instance: InstanceKey(project: "default", name: "web-1"))
            let list = try await client.request(.get, "/1.0/networks", as: .teamViewer)
            #expect(Self.conforms(list, "get", "/1.0/networks") == [])
            let listed = try list.decode(Page<NetworkInfo>.self).items
            #expect(listed.map(\.config.name) == ["lab", "web"])
            #expect(listed.last?.usedBy == [NetworkUser(project: "team", name: "db")], "a team sees only its own instances")
            let info = try await client.request(.get, "/1.0/networks/web", as: .viewer)
            #expect(Self.conforms(info, "get", "/1.0/networks/{network}") == [])
            #expect(try info.decode(NetworkInfo.self).usedBy.map(\.name) == ["web-1", "db"])
            let paged = try await client.request(.get, "/1.0/networks?limit=1", as: .viewer).decode(Page<NetworkInfo>.self)
            #expect(paged.items.map(\.config.name) == ["lab"] && paged.next == "lab")

            let used = try await client.request(.delete, "/1.0/networks/web", as: .admin)
            #expect(used.status == 409)
            #expect(Self.conforms(used, "delete", "/1.0/networks/{network}") == [])
            await networks.detach(network: "web", instance: InstanceKey(project: "team", name: "db"))
            await networks.detach(network: "web", instance: InstanceKey(project: "default", name: "web-1"))
            #expect(try await client.request(.delete, "/1.0/networks/web", as: .teamAdmin).status == 403)
            let deleted = try await client.request(.delete, "/1.0/networks/web", as: .admin)
            #expect(deleted.status == 204)
            #expect(Self.conforms(deleted, "delete", "/1.0/networks/{network}") == [])
            let gone = try await client.request(.get, "/1.0/networks/web", as: .viewer)
            #expect(gone.status == 404)
            #expect(Self.conforms(gone, "get", "/1.0/networks/{network}") == [])
            #expect(host.bridges.count == 1)

            let audit = try await client.request(.get, "/1.0/audit?action=network.create", as: .admin).decode(Page<AuditEntry>.self)
            // Callers refused before the body is read are audited without a target.
            #expect(audit.items.map(\.target) == [nil, nil, "web", "lab", "lab2", "lab"])
            #expect(audit.items.map(\.status) == [403, 403, 201, 201, 409, 409])
        }
    }

    @Test("a bridge network joins a host interface: only the local administrator creates one; a global admin over TCP gets 403")
    func bridgeNetworksAreLocal() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        let body = #"{"name": "lan", "type": "bridge", "parent": "br0"}"#
        try await fixture.withClient { client in
            let remote = try await client.request(.post, "/1.0/networks", as: .admin, body: body)
            #expect(remote.status == 403)
            #expect(remote.json.description.contains("Unix socket"), "\(remote.json)")
            #expect(Self.conforms(remote, "post", "/1.0/networks") == [])
            // Refused before the parent is looked at: a missing one is not revealed either.
            let unknown = try await client.request(
                .post, "/1.0/networks", as: .admin, body: #"{"name": "lan", "type": "bridge", "parent": "eth9"}"#)
            #expect(unknown.status == 403)
            let noParent = try await client.request(.post, "/1.0/networks", as: .admin, body: #"{"name": "lan", "type": "bridge"}"#)
            #expect(noParent.status == 403)
        }
        #expect(fixture.network.calls == [])
        try await fixture.withLocalClient { local in
            let created = try await local.request(.post, "/1.0/networks", as: .anonymous, body: body)
            #expect(created.status == 201)
            let info = try created.decode(NetworkInfo.self)
            #expect(info.bridge == "br0" && info.gateway == nil && info.dhcpRange == nil)
            #expect(Self.conforms(created, "post", "/1.0/networks") == [])
            let missing = try await local.request(
                .post, "/1.0/networks", as: .anonymous, body: #"{"name": "wan", "type": "bridge", "parent": "eth9"}"#)
            #expect(missing.status == 400)
        }
        try await fixture.withClient { client in
            // Deleting one names no host interface: a global admin may.
            let deleted = try await client.request(.delete, "/1.0/networks/lan", as: .admin)
            #expect(deleted.status == 204)
        }
    }

    @Test("malformed requests are refused with 400 and change nothing on the host")
    func badRequests() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        try await fixture.withClient { client in
            for (body, message) in [
                (#"{"name": "web", "type": "nat", "subnet": "10.1.2.5/24"}"#, "host bits are set"),
                (#"{"name": "web", "type": "nat", "subnet": "10.1.2.0/30"}"#, "prefix from /16 to /29"),
                (#"{"name": "web", "type": "mesh"}"#, "type"),
                (#"{"name": "web", "type": "nat", "subnet": null}"#, "must not be null"),
                (#"{"name": "web", "type": "nat", "parent": "eth0"}"#, "only bridge networks take a parent"),
                (#"{"name": "web", "type": "nat", "kind": "nat"}"#, "unknown field"),
                (#"{"name": "web_1", "type": "nat"}"#, "may only contain"),
            ] {
                let answer = try await client.request(.post, "/1.0/networks", as: .admin, body: body)
                #expect(answer.status == 400, "\(body)")
                #expect(answer.json.description.contains(message), "\(answer.json)")
                #expect(Self.conforms(answer, "post", "/1.0/networks") == [])
            }
        }
        #expect(fixture.network.calls == [])
    }
}
