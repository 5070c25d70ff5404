import Backup
import Foundation
import JoistAPI
import JoistCore
import Testing

@testable import APIServer

/// Backups seen through the API without their instance, and a store's backups at once: listing,
/// verifying, and the restore body's rules. Backups are written straight into the default store.
@Suite("API: backups outliving their instance, store-wide listing and verify")
struct BackupContentAPITests {
    static func conforms(_ answer: APIClientHelper.Answer, _ method: String, _ template: String) -> [String] {
        APIBehaviourTests.conforms(answer, method, template)
    }

    @Test("a deleted instance's backups are listed, shown and verified; a store lists and verifies the project's backups, naming a damaged one")
    func backupsWithoutTheirInstance() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        #expect(try await fixture.createInstance("web").status == 201)
        let store = try #require(try ChunkStore.open(fixture.directory + "/backups"))
        let writer = BackupWriter(store: store)
        let gone = try await writer.write(
            project: "default", instance: "gone", disks: ["root": MemoryDisk([UInt8](repeating: 3, count: 3000))],
            configuration: InstanceSpec(name: "gone", kernel: fixture.kernel))
        let older = try await writer.write(project: "default", instance: "older", disks: ["root": MemoryDisk([UInt8](repeating: 5, count: 100))])
        let web = try await writer.write(project: "default", instance: "web", disks: ["root": MemoryDisk([UInt8](repeating: 9, count: 2000))])

        let kernel = fixture.kernel
        try await fixture.withClient { client in
            let listed = try await client.request(.get, "/1.0/instances/gone/backups", as: .viewer)
            #expect(listed.status == 200)
            #expect(Self.conforms(listed, "get", "/1.0/instances/{name}/backups") == [])
            let backups = try listed.decode([InstanceBackup].self)
            #expect(backups.map(\.id) == [gone.id.value])
            #expect(backups.first?.instanceExists == false && backups.first?.hasConfiguration == true)
            let nothing = try await client.request(.get, "/1.0/instances/never/backups", as: .viewer)
            #expect(nothing.status == 404 && nothing.json.description.contains("no backup store holds a backup of it"), "\(nothing.json)")
            let one = try await client.request(.get, "/1.0/instances/gone/backups/\(gone.id)", as: .viewer)
            #expect(one.status == 200)
            #expect(try one.decode(InstanceBackup.self).instanceExists == false)
            #expect(try await client.request(.get, "/1.0/instances/web/backups/\(gone.id)", as: .viewer).status == 404)

            let verify = try await client.request(.post, "/1.0/instances/gone/backups/\(gone.id)/verify", as: .operator)
            #expect(verify.status == 202)
            #expect(try await Self.finish(verify, client).status == .succeeded)

            // Restore bodies: exactly one of `as` and `inPlace`; in place needs the instance.
            for body in [#"{}"#, #"{"as": "copy", "inPlace": true}"#, #"{"as": "copy", "force": true}"#] {
                let refused = try await client.request(.post, "/1.0/instances/gone/backups/\(gone.id)/restore", as: .operator, body: body)
                #expect(refused.status == 400, "\(body): \(refused.json)")
                #expect(Self.conforms(refused, "post", "/1.0/instances/{name}/backups/{backup}/restore") == [])
            }
            let inPlace = try await client.request(
                .post, "/1.0/instances/gone/backups/\(gone.id)/restore", as: .operator, body: #"{"inPlace": true}"#)
            #expect(inPlace.status == 404, "\(inPlace.json)")

            // As a new instance: with the configuration the backup recorded; an older backup, which has
            // none, cannot borrow it from an instance that is gone.
            let copied = try await client.request(.post, "/1.0/instances/gone/backups/\(gone.id)/restore", as: .operator, body: #"{"as": "copy"}"#)
            #expect(try await Self.finish(copied, client).status == .succeeded)
            let copy = try await client.request(.get, "/1.0/instances/copy", as: .viewer).decode(Instance.self)
            #expect(copy.config.kernel == kernel && copy.config.name == "copy")
            let older = try await client.request(.post, "/1.0/instances/older/backups/\(older.id)/restore", as: .operator, body: #"{"as": "copy2"}"#)
            let olderDone = try await Self.finish(older, client)
            #expect(olderDone.status == .failed && olderDone.error?.message.contains("--in-place") == true, "\(olderDone)")

            let storeList = try await client.request(.get, "/1.0/backup-stores/default/backups", as: .viewer)
            #expect(storeList.status == 200)
            #expect(Self.conforms(storeList, "get", "/1.0/backup-stores/{store}/backups") == [])
            let all = try storeList.decode([InstanceBackup].self)
            #expect(Set(all.map(\.instance)) == ["gone", "older", "web"])
            #expect(all.first { $0.instance == "web" }?.instanceExists == true)
            #expect(all.first { $0.instance == "gone" }?.instanceExists == false)
            let otherProject = try await client.request(.get, "/1.0/backup-stores/default/backups", as: .teamViewer)
            #expect(try otherProject.decode([InstanceBackup].self).isEmpty)
            #expect(try await client.request(.get, "/1.0/backup-stores/nowhere/backups", as: .viewer).status == 404)

            #expect(try await client.request(.post, "/1.0/backup-stores/default/verify", as: .viewer).status == 403)
            let clean = try await client.request(.post, "/1.0/backup-stores/default/verify", as: .operator)
            #expect(clean.status == 202)
            #expect(Self.conforms(clean, "post", "/1.0/backup-stores/{store}/verify") == [])
            let cleanDone = try await Self.finish(clean, client)
            #expect(cleanDone.status == .succeeded && cleanDone.result?["backups"] == "3", "\(cleanDone)")
            #expect(cleanDone.progress?.unit == "chunks" && cleanDone.progress?.total == 3, "\(String(describing: cleanDone.progress))")

            let chunk = try #require(web.referencedChunks.first)
            try Self.flipByte(in: store.layout.chunkFile(chunk))
            let damaged = try await Self.finish(try await client.request(.post, "/1.0/backup-stores/default/verify", as: .operator), client)
            #expect(damaged.status == .failed)
            let message = damaged.error?.message ?? ""
            #expect(message.contains("1 of 3 backup(s) damaged: web/\(web.id)") && !message.contains("gone/"), "\(message)")
        }
    }

    static func finish(_ accepted: APIClientHelper.Answer, _ client: APIClientHelper) async throws -> JoistAPI.Operation {
        let operation = try accepted.decode(JoistAPI.Operation.self)
        return try await client.request(.get, "/1.0/operations/\(operation.id)/wait?timeout=120", as: .viewer).decode(JoistAPI.Operation.self)
    }

    /// Flips one byte in the middle of a file, as a failing disk would.
    static func flipByte(in path: String) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 0xff
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}
