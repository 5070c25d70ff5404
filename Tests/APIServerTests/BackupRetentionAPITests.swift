import Backup
import Foundation
import JoistAPI
import JoistCore
import JoistTesting
import Testing

@testable import APIServer

@Suite("API: backup prune, delete and schedules")
struct BackupRetentionAPITests {
    static func conforms(_ answer: APIClientHelper.Answer, _ method: String, _ template: String) -> [String] {
        APIBehaviourTests.conforms(answer, method, template)
    }

    @Test("prune refuses a request without keep rules and removes what the rules do not keep; delete removes one backup")
    func pruneAndDelete() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        #expect(try await fixture.createInstance("web-1").status == 201)
        let store = try #require(try ChunkStore.open(fixture.directory + "/backups"))
        let writer = BackupWriter(store: store)
        var made: [String] = []
        for seed in 0..<3 {
            let disk = [UInt8](repeating: UInt8(seed + 1), count: 1000)
            let createdAt = Date(timeIntervalSince1970: 1_795_132_800 + Double(seed) * 60)
            made.append(try await writer.write(project: "default", instance: "web-1", disks: ["root": MemoryDisk(disk)], createdAt: createdAt).id.value)
        }
        let ids = made
        let path = "/1.0/instances/web-1/backups/prune"
        try await fixture.withClient { client in
            for body in ["{}", #"{"keepLast": 0, "dryRun": true}"#, #"{"keepLast": -1}"#, #"{"keepLast": 1, "keep": 3}"#] {
                let refused = try await client.request(.post, path, as: .operator, body: body)
                #expect(refused.status == 400, "\(body): \(refused.json)")
                #expect(Self.conforms(refused, "post", "/1.0/instances/{name}/backups/prune") == [])
            }
            #expect(try await client.request(.post, path, as: .viewer, body: #"{"keepLast": 1}"#).status == 403)
            #expect(try await client.request(.post, path, as: .operator, body: #"{"keepLast": 1, "store": "nowhere"}"#).status == 404)
            #expect(try await client.request(.post, "/1.0/instances/nobody/backups/prune", as: .operator, body: #"{"keepLast": 1}"#).status == 404)
            #expect(try store.backupIDs(project: "default", instance: "web-1").count == 3)

            let dry = try await client.request(.post, path, as: .operator, body: #"{"keepLast": 1, "dryRun": true}"#)
            #expect(dry.status == 200, "\(dry.json)")
            #expect(Self.conforms(dry, "post", "/1.0/instances/{name}/backups/prune") == [])
            let planned = try dry.decode(InstanceBackupPruneResult.self)
            #expect(planned.dryRun && planned.kept.map(\.id) == [ids[2]] && planned.removed.map(\.id) == [ids[0], ids[1]])
            #expect(try store.backupIDs(project: "default", instance: "web-1").count == 3)

            let pruned = try await client.request(.post, path, as: .operator, body: #"{"keepLast": 2}"#)
            let result = try pruned.decode(InstanceBackupPruneResult.self)
            #expect(!result.dryRun && result.removed.map(\.id) == [ids[0]])
            #expect(result.kept.map(\.keptBy) == [["last"], ["last"]])
            #expect(try store.backupIDs(project: "default", instance: "web-1").map(\.value) == [ids[1], ids[2]])

            let deleted = try await client.request(.delete, "/1.0/instances/web-1/backups/\(ids[1])", as: .operator)
            #expect(deleted.status == 204)
            #expect(Self.conforms(deleted, "delete", "/1.0/instances/{name}/backups/{backup}") == [])
            let gone = try await client.request(.delete, "/1.0/instances/web-1/backups/\(ids[1])", as: .operator)
            #expect(gone.status == 404)
            #expect(try await client.request(.delete, "/1.0/instances/web-1/backups/..%2Fx", as: .operator).status == 400)
            #expect(try store.backupIDs(project: "default", instance: "web-1").map(\.value) == [ids[2]])
        }
    }

    @Test("a backup schedule is set, shown with its next time, refused for a missing store or a bad interval, and cleared")
    func schedule() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        #expect(try await fixture.createInstance("web-1").status == 201)
        let path = "/1.0/instances/web-1/backup-schedule"
        try await fixture.withClient { client in
            let none = try await client.request(.get, path, as: .viewer)
            #expect(none.status == 404)
            #expect(Self.conforms(none, "get", "/1.0/instances/{name}/backup-schedule") == [])
            for body in [#"{"every": "1d", "store": "nowhere"}"#, #"{"every": "10s"}"#, #"{"every": "1d", "keepDaily": -1}"#, #"{"every": "1d", "keep": 3}"#] {
                let refused = try await client.request(.put, path, as: .operator, body: body)
                #expect(refused.status == 400 || refused.status == 404, "\(body): \(refused.json)")
                #expect(Self.conforms(refused, "put", "/1.0/instances/{name}/backup-schedule") == [])
            }
            #expect(try await client.request(.put, path, as: .viewer, body: #"{"every": "1d"}"#).status == 403)

            let set = try await client.request(.put, path, as: .operator, body: #"{"every": "24h", "keepDaily": 7, "keepWeekly": 4}"#)
            #expect(set.status == 200, "\(set.json)")
            #expect(Self.conforms(set, "put", "/1.0/instances/{name}/backup-schedule") == [])
            let info = try set.decode(BackupScheduleInfo.self)
            #expect(info.every == "1d" && info.store == "default" && info.keep == BackupKeep(daily: 7, weekly: 4))
            #expect(info.nextAt == info.since, "with no backup in the store, one is due at once")
            let shown = try await client.request(.get, path, as: .viewer)
            #expect(Self.conforms(shown, "get", "/1.0/instances/{name}/backup-schedule") == [])
            #expect(try shown.decode(BackupScheduleInfo.self) == info)

            let cleared = try await client.request(.delete, path, as: .operator)
            #expect(cleared.status == 204)
            #expect(Self.conforms(cleared, "delete", "/1.0/instances/{name}/backup-schedule") == [])
            #expect(try await client.request(.get, path, as: .viewer).status == 404)
        }
    }
}
