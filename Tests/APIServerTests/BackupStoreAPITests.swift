import Activity
import Backup
import Foundation
import JoistAPI
import JoistCore
import JoistTesting
import Testing

@testable import APIServer

@Suite("API: backup stores")
struct BackupStoreAPITests {
    static func conforms(_ answer: APIClientHelper.Answer, _ method: String, _ template: String) -> [String] {
        APIBehaviourTests.conforms(answer, method, template)
    }

    @Test("stores: the default exists, the local admin makes and adopts them, global admins gc and forget them, everyone reads them")
    func stores() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        try await withTemporaryDirectory(prefix: "jb") { folder in
            let path = folder + "/offsite"
            let body = #"{"name": "offsite", "path": "\#(path)", "description": "USB disk"}"#
            let stateDirectory = fixture.directory
            let subscription = fixture.services.events.subscribe(EventFilter(types: [.lifecycle]))
            try await fixture.withLocalClient { local in
                let created = try await local.request(.post, "/1.0/backup-stores", as: .anonymous, body: body)
                #expect(created.status == 201, "\(created.json)")
                #expect(Self.conforms(created, "post", "/1.0/backup-stores") == [])
                let info = try created.decode(BackupStoreInfo.self)
                #expect(info.usage.backups == 0 && info.usage.chunks == 0)
                #expect(info.chunkSize == 4 << 20)
                #expect(FileManager.default.fileExists(atPath: path + "/joist-backup-store.json"))

                let again = try await local.request(.post, "/1.0/backup-stores", as: .anonymous, body: body)
                #expect(again.status == 409)
                let nested = try await local.request(
                    .post, "/1.0/backup-stores", as: .anonymous, body: #"{"name": "inner", "path": "\#(path)/inner"}"#)
                #expect(nested.status == 400)
                let inState = try await local.request(
                    .post, "/1.0/backup-stores", as: .anonymous, body: #"{"name": "state", "path": "\#(stateDirectory)/mine"}"#)
                #expect(inState.status == 400)
                try FileManager.default.createDirectory(atPath: folder + "/photos", withIntermediateDirectories: true)
                try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/photos/cat.jpg"))
                let foreign = try await local.request(
                    .post, "/1.0/backup-stores", as: .anonymous, body: #"{"name": "photos", "path": "\#(folder)/photos"}"#)
                #expect(foreign.status == 400 && foreign.json.description.contains("not empty"), "\(foreign.json)")
                #expect(Self.conforms(foreign, "post", "/1.0/backup-stores") == [])
            }

            // A backup, and the chunks of one that was pruned, as the backup layer will leave them.
            let store = try #require(try ChunkStore.open(path))
            let writer = BackupWriter(store: store)
            let disk = [UInt8](repeating: 7, count: 1000)
            let kept = try await writer.write(project: "default", instance: "web-1", disks: ["root": MemoryDisk(disk)])
            let pruned = try await writer.write(project: "default", instance: "web-1", disks: ["root": MemoryDisk(disk + [1])])
            try store.deleteManifest(project: "default", instance: "web-1", id: pruned.id)

            try await fixture.withClient { client in
                let remote = try await client.request(.post, "/1.0/backup-stores", as: .admin, body: body)
                #expect(remote.status == 403 && remote.json.description.contains("Unix socket"), "\(remote.json)")
                #expect(try await client.request(.post, "/1.0/backup-stores", as: .teamAdmin, body: body).status == 403)

                let list = try await client.request(.get, "/1.0/backup-stores", as: .teamViewer)
                #expect(Self.conforms(list, "get", "/1.0/backup-stores") == [])
                let stores = try list.decode(Page<BackupStoreInfo>.self).items
                #expect(stores.map(\.store.name) == ["default", "offsite"])
                #expect(stores.last?.usage.backups == 1)
                #expect(stores.last?.usage.chunks == nil)
                let info = try await client.request(.get, "/1.0/backup-stores/offsite", as: .viewer)
                #expect(Self.conforms(info, "get", "/1.0/backup-stores/{store}") == [])
                #expect(try info.decode(BackupStoreInfo.self).usage.chunks == 2)

                #expect(try await client.request(.post, "/1.0/backup-stores/offsite/gc", as: .teamAdmin).status == 403)
                let missing = try await client.request(.post, "/1.0/backup-stores/nowhere/gc", as: .admin)
                #expect(missing.status == 404)
                #expect(Self.conforms(missing, "post", "/1.0/backup-stores/{store}/gc") == [])
                let gc = try await client.request(.post, "/1.0/backup-stores/offsite/gc", as: .admin)
                #expect(gc.status == 202)
                #expect(Self.conforms(gc, "post", "/1.0/backup-stores/{store}/gc") == [])
                let operation = try gc.decode(JoistAPI.Operation.self)
                let done = try await client.request(.get, "/1.0/operations/\(operation.id)/wait?timeout=120", as: .viewer)
                let finished = try done.decode(JoistAPI.Operation.self)
                #expect(finished.status == .succeeded, "\(finished)")
                #expect(finished.result?["chunksRemoved"] == "1")
                #expect(finished.result?["chunksKept"] == "1")
                #expect(try store.storedChunks().map(\.id) == Array(kept.referencedChunks))

                let original = try await client.request(.delete, "/1.0/backup-stores/default", as: .admin)
                #expect(original.status == 409)
                #expect(Self.conforms(original, "delete", "/1.0/backup-stores/{store}") == [])
                #expect(try await client.request(.delete, "/1.0/backup-stores/offsite", as: .operator).status == 403)
                #expect(try await client.request(.delete, "/1.0/backup-stores/offsite", as: .admin).status == 204)
                #expect(try await client.request(.get, "/1.0/backup-stores/offsite", as: .viewer).status == 404)
            }
            // Forgetting a store keeps its backups; making a store over the folder adopts them.
            #expect(try store.manifests().manifests.map(\.id) == [kept.id])
            try await fixture.withLocalClient { local in
                let adopted = try await local.request(.post, "/1.0/backup-stores", as: .anonymous, body: #"{"name": "found", "path": "\#(path)"}"#)
                #expect(adopted.status == 201)
                #expect(try adopted.decode(BackupStoreInfo.self).usage.backups == 1)
            }
            fixture.services.events.unsubscribe(subscription.id)
            var seen: [String] = []
            for await event in subscription.events { seen.append(event.lifecycle?.action ?? "") }
            #expect(seen == ["backup-store-created", "backup-store-deleted", "backup-store-created"])
        }
    }
}

/// A disk in memory for writing backups straight into a store.
struct MemoryDisk: BackupSource {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var size: UInt64 { UInt64(bytes.count) }
    func changedExtents() async throws -> [DiskExtent]? { nil }
    func read(offset: UInt64, length: Int) async throws -> [UInt8] { Array(bytes[Int(offset)..<Int(offset) + length]) }
}
