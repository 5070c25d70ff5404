import Activity
import Foundation
import HTTPTypes
import JoistAPI
import JoistCore
import JoistTesting
import Testing

@testable import APIServer

@Suite("API: storage pools and volumes")
struct StorageAPITests {
    static func conforms(_ answer: APIClientHelper.Answer, _ method: String, _ template: String) -> [String] {
        APIBehaviourTests.conforms(answer, method, template)
    }

    static let fastPool = #"{"name": "fast", "driver": "dir", "path": "/srv/joist-fast", "overcommit": 1.5}"#

    @Test("pools: global admins create and delete them, everyone reads them, and each sees only its project's volumes")
    func pools() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        let subscription = fixture.services.events.subscribe(EventFilter(types: [.lifecycle]))
        try await fixture.withLocalClient { local in
            let created = try await local.request(.post, "/1.0/storage-pools", as: .anonymous, body: Self.fastPool)
            #expect(created.status == 201)
            #expect(Self.conforms(created, "post", "/1.0/storage-pools") == [])
            #expect(try created.decode(StoragePoolInfo.self).pool.overcommit == 1.5)
            let again = try await local.request(
                .post, "/1.0/storage-pools", as: .anonymous, body: Self.fastPool.replacingOccurrences(of: "joist-fast", with: "other"))
            #expect(again.status == 409)
            #expect(again.errorCode == "already_exists")
            let nested = try await local.request(
                .post, "/1.0/storage-pools", as: .anonymous, body: #"{"name": "inner", "driver": "dir", "path": "/srv/joist-fast/inner"}"#)
            #expect(nested.status == 400)
            #expect(Self.conforms(nested, "post", "/1.0/storage-pools") == [])
        }
        try await fixture.withClient { client in
            let body = Self.fastPool
            #expect(try await client.request(.post, "/1.0/storage-pools", as: .teamAdmin, body: body).status == 403)
            #expect(try await client.request(.post, "/1.0/storage-pools", as: .operator, body: body).status == 403)
            // A pool is a folder on the host: even a global admin names one only on the Unix socket.
            let remote = try await client.request(.post, "/1.0/storage-pools", as: .admin, body: body)
            #expect(remote.status == 403 && remote.json.description.contains("Unix socket"), "\(remote.json)")
            #expect(Self.conforms(remote, "post", "/1.0/storage-pools") == [])
            let typo = try await client.request(.post, "/1.0/storage-pools", as: .admin, body: #"{"name": "x", "driver": "dir", "path": "/srv/x", "overcomit": 2}"#)
            #expect(typo.status == 400)
            #expect(typo.json.description.contains("overcomit"))
            let badDriver = try await client.request(.post, "/1.0/storage-pools", as: .admin, body: #"{"name": "x", "driver": "zfs", "path": "/srv/x"}"#)
            #expect(badDriver.status == 400)

            _ = try await client.request(.post, "/1.0/storage-pools/fast/volumes", as: .operator, body: #"{"name": "mine", "size": "1GiB"}"#)
            _ = try await client.request(.post, "/1.0/storage-pools/fast/volumes", as: .teamOperator, body: #"{"name": "ours", "size": "1GiB"}"#)
            let list = try await client.request(.get, "/1.0/storage-pools", as: .teamViewer)
            #expect(Self.conforms(list, "get", "/1.0/storage-pools") == [])
            let pools = try list.decode(Page<StoragePoolInfo>.self).items
            #expect(pools.map(\.pool.name) == ["default", "fast"])
            #expect(pools.last?.volumes == [StorageVolumeEntry(project: "team", name: "ours")])
            #expect(pools.last?.usage.allocated == 2 << 30, "usage counts every project's volumes")
            let info = try await client.request(.get, "/1.0/storage-pools/fast", as: .viewer)
            #expect(Self.conforms(info, "get", "/1.0/storage-pools/{pool}") == [])
            #expect(try info.decode(StoragePoolInfo.self).volumes.map(\.name) == ["mine", "ours"])

            let held = try await client.request(.delete, "/1.0/storage-pools/fast", as: .admin)
            #expect(held.status == 409)
            #expect(held.json.description.contains("still holds 2 volume(s)"))
            let original = try await client.request(.delete, "/1.0/storage-pools/default", as: .admin)
            #expect(original.status == 409)
            #expect(Self.conforms(original, "delete", "/1.0/storage-pools/{pool}") == [])
            #expect(try await client.request(.delete, "/1.0/storage-pools/fast/volumes/mine", as: .operator).status == 204)
            #expect(try await client.request(.delete, "/1.0/storage-pools/fast/volumes/ours", as: .teamOperator).status == 204)
            #expect(try await client.request(.delete, "/1.0/storage-pools/fast", as: .admin).status == 204)
            let gone = try await client.request(.get, "/1.0/storage-pools/fast", as: .viewer)
            #expect(gone.status == 404)
            #expect(Self.conforms(gone, "get", "/1.0/storage-pools/{pool}") == [])
        }
        fixture.services.events.unsubscribe(subscription.id)
        var seen: [String] = []
        for await event in subscription.events { seen.append("\(event.lifecycle?.action ?? "") \(event.project ?? "-")") }
        #expect(seen.contains("storage-pool-created -"))
        #expect(seen.contains("volume-created team"))
        #expect(seen.contains("volume-deleted default"))
        #expect(seen.last == "storage-pool-deleted -")
    }

    @Test("volumes: operators of the project create, resize and delete; quotas, space and shrinking are refused clearly")
    func volumes() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        try await fixture.withClient { client in
            let path = "/1.0/storage-pools/default/volumes"
            #expect(try await client.request(.post, path, as: .teamViewer, body: #"{"name": "data", "size": "4GiB"}"#).status == 403)
            let created = try await client.request(.post, path, as: .teamOperator, body: #"{"name": "data", "size": "4GiB", "format": "qcow2"}"#)
            #expect(created.status == 201)
            #expect(Self.conforms(created, "post", "/1.0/storage-pools/{pool}/volumes") == [])
            let volume = try created.decode(StorageVolume.self)
            #expect(volume.project == "team" && volume.size == .gibibytes(4) && volume.allocated == 196_608)

            let over = try await client.request(.post, path, as: .teamOperator, body: #"{"name": "big", "size": "7GiB"}"#)
            #expect(over.status == 429)
            #expect(over.errorCode == "quota_exceeded")
            let huge = try await client.request(.post, path, as: .operator, body: #"{"name": "huge", "size": "200GiB"}"#)
            #expect(huge.status == 409)
            #expect(huge.json.description.contains("pool default has 96GiB free once its volumes are fully written, the volume needs 200GiB"))
            #expect(Self.conforms(huge, "post", "/1.0/storage-pools/{pool}/volumes") == [])
            let badSize = try await client.request(.post, path, as: .operator, body: #"{"name": "odd", "size": 1048576}"#)
            #expect(badSize.status == 400)
            #expect(try await client.request(.post, path, as: .operator, body: #"{"name": "x", "size": "1GiB", "colour": "red"}"#).status == 400)
            #expect(try await client.request(.post, "/1.0/storage-pools/nope/volumes", as: .operator, body: #"{"name": "x", "size": "1GiB"}"#).status == 404)

            let single = try await client.request(.get, "\(path)/data", as: .teamViewer)
            #expect(Self.conforms(single, "get", "/1.0/storage-pools/{pool}/volumes/{name}") == [])
            #expect(try await client.request(.get, "\(path)/data", as: .viewer).status == 404, "default does not see team's volume")
            #expect(try await client.request(.get, "\(path)/data?project=team", as: .viewer).status == 200)

            let shrink = try await client.request(.post, "\(path)/data/resize", as: .teamOperator, body: #"{"size": "2GiB"}"#)
            #expect(shrink.status == 400)
            #expect(shrink.json.description.contains("allow shrinking"))
            let grown = try await client.request(.post, "\(path)/data/resize", as: .teamOperator, body: #"{"size": "6GiB"}"#)
            #expect(grown.status == 200)
            #expect(Self.conforms(grown, "post", "/1.0/storage-pools/{pool}/volumes/{name}/resize") == [])
            #expect(try grown.decode(StorageVolume.self).size == .gibibytes(6))
            let shrunk = try await client.request(.post, "\(path)/data/resize", as: .teamOperator, body: #"{"size": "3GiB", "allowShrink": true}"#)
            #expect(try shrunk.decode(StorageVolume.self).size == .gibibytes(3))
            #expect(try await client.request(.get, "/1.0/projects/team", as: .teamViewer).decode(ProjectInfo.self).usage.disk == .gibibytes(3))

            let deleted = try await client.request(.delete, "\(path)/data", as: .teamOperator)
            #expect(deleted.status == 204)
            #expect(Self.conforms(deleted, "delete", "/1.0/storage-pools/{pool}/volumes/{name}") == [])
            let missing = try await client.request(.delete, "\(path)/data", as: .teamOperator)
            #expect(missing.status == 404)
            #expect(missing.json.description.contains("volume default/data not found in project team"))
        }
    }

    @Test("clones answer 202 with an operation; a linked clone protects its source; listings cover every pool")
    func clones() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        _ = try await fixture.withLocalClient { local in
            try await local.request(.post, "/1.0/storage-pools", as: .anonymous, body: #"{"name": "aux", "driver": "dir", "path": "/srv/joist-aux"}"#)
        }
        try await fixture.withClient { client in
            let path = "/1.0/storage-pools/default/volumes"
            _ = try await client.request(.post, path, as: .operator, body: #"{"name": "base", "size": "2GiB", "format": "qcow2"}"#)
            let full = try await client.request(.post, "\(path)/base/clone", as: .operator, body: #"{"name": "copy"}"#)
            #expect(full.status == 202)
            #expect(Self.conforms(full, "post", "/1.0/storage-pools/{pool}/volumes/{name}/clone") == [])
            let copied = try await Self.wait(for: full, client)
            #expect(copied.status == .succeeded)
            #expect(copied.result == ["volume": "default/copy", "linked": "false"])
            #expect(copied.progress == OperationProgress(done: 2 << 30, total: 2 << 30, unit: "bytes", stage: "copying"))

            let linked = try await Self.wait(for: client.request(.post, "\(path)/base/clone", as: .operator, body: #"{"name": "child", "linked": true}"#), client)
            #expect(linked.result?["linked"] == "true")
            let refused = try await client.request(.delete, "\(path)/base", as: .operator)
            #expect(refused.status == 409)
            #expect(refused.json.description.contains("linked clones that read its data (default/child)"))
            let base = try await client.request(.get, "\(path)/base", as: .viewer).decode(StorageVolume.self)
            #expect(base.dependents == [VolumeReference(pool: "default", name: "child")])

            let taken = try await Self.wait(for: client.request(.post, "\(path)/base/clone", as: .operator, body: #"{"name": "copy"}"#), client)
            #expect(taken.status == .failed)
            #expect(taken.error?.code == "already_exists")
            #expect(try await client.request(.post, "\(path)/ghost/clone", as: .operator, body: #"{"name": "x"}"#).status == 404)
            #expect(try await client.request(.post, "\(path)/base/clone", as: .operator, body: #"{"name": "no/slash"}"#).status == 400)

            _ = try await client.request(.post, "/1.0/storage-pools/aux/volumes", as: .operator, body: #"{"name": "logs", "size": "1GiB"}"#)
            let all = try await client.request(.get, "/1.0/volumes?limit=2", as: .viewer)
            #expect(Self.conforms(all, "get", "/1.0/volumes") == [])
            let first = try all.decode(Page<StorageVolume>.self)
            #expect(first.items.map { "\($0.pool)/\($0.name)" } == ["aux/logs", "default/base"])
            let rest = try await client.request(.get, "/1.0/volumes?after=\(first.next ?? "")", as: .viewer).decode(Page<StorageVolume>.self)
            #expect(rest.items.map { "\($0.pool)/\($0.name)" } == ["default/child", "default/copy"])
            let inPool = try await client.request(.get, path, as: .viewer)
            #expect(Self.conforms(inPool, "get", "/1.0/storage-pools/{pool}/volumes") == [])
            #expect(try inPool.decode(Page<StorageVolume>.self).items.map(\.name) == ["base", "child", "copy"])
            #expect(try await client.request(.get, "/1.0/volumes", as: .teamViewer).decode(Page<StorageVolume>.self).items == [])

            let audit = try await client.request(.get, "/1.0/audit?action=volume.clone", as: .admin).decode(Page<AuditEntry>.self)
            // Accepted clones are audited when they end; refused ones at once.
            #expect(audit.items.map(\.outcome) == [.succeeded, .succeeded, .failed, .failed, .failed])
            #expect(audit.items.map(\.status) == [200, 200, 409, 404, 400])
        }
    }

    /// Follows an accepted operation to its end.
    static func wait(for answer: APIClientHelper.Answer, _ client: APIClientHelper) async throws -> JoistAPI.Operation {
        try #require(answer.status == 202, "\(answer.json)")
        let operation = try answer.decode(JoistAPI.Operation.self)
        return try await client.request(.get, "/1.0/operations/\(operation.id)/wait?timeout=10", as: .viewer).decode(JoistAPI.Operation.self)
    }
}
