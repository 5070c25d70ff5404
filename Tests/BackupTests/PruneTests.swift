import Backup
import Foundation
import JoistCore
import JoistTesting
import Testing

@Suite("Pruning backups")
struct PruneTests {
    static func date(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    /// An incremental chain of three backups of one disk, in October and November: the second changes
    /// chunks 3 and 4, the third chunks 4 and 6, so the third names the second's chunk 3 without
    /// reading it, and the second's chunk 4 is named by the second alone. Returns the store, the manifests and the disk as each backup saw it.
    static func chain(_ folder: String) async throws -> (ChunkStore, [BackupManifest], [[UInt8]]) {
        let store = try makeStore(folder)
        let writer = BackupWriter(store: store)
        var disk = randomBytes(10 * testChunkSize, seed: 21)
        var manifests: [BackupManifest] = []
        var versions: [[UInt8]] = []
        for (index, time) in ["2026-10-20T10:00:00Z", "2026-11-10T10:00:00Z", "2026-11-20T10:00:00Z"].enumerated() {
            var changed: [DiskExtent]?
            if index > 0 {
                changed = []
                for chunk in [[3, 4], [4, 6]][index - 1] {
                    let offset = chunk * testChunkSize
                    disk.replaceSubrange(offset..<offset + 4096, with: randomBytes(4096, seed: UInt64(100 * index + chunk)))
                    changed?.append(DiskExtent(offset: UInt64(offset), length: 4096))
                }
            }
            manifests.append(
                try await writer.write(
                    project: "default", instance: "web", disks: ["root": MemorySource(disk, changed: changed)], parent: manifests.last,
                    createdAt: date(time)))
            versions.append(disk)
        }
        return (store, manifests, versions)
    }

    @Test("pruning the middle of an incremental chain leaves the later backup whole: after gc it verifies and restores on its own")
    func middleOfChain() async throws {
        try await withTemporaryDirectory { folder in
            let (store, manifests, versions) = try await Self.chain(folder)
            #expect(manifests[1].kind == .incremental && manifests[2].parent == manifests[1].id)

            // The newest of each of the two newest months: November's last and October's.
            let outcome = try store.prune(
                project: "default", instance: "web", policy: RetentionPolicy(keepMonthly: 2), calendar: RetentionPolicyTests.utc, dryRun: false)
            #expect(outcome.removed.map(\.id) == [manifests[1].id])
            #expect(outcome.kept.map(\.id) == [manifests[2].id, manifests[0].id])
            #expect(outcome.kept.allSatisfy { $0.reasons == [.monthly] })
            #expect(try store.backupIDs(project: "default", instance: "web") == [manifests[0].id, manifests[2].id])

            let report = try await BackupGC(store: store).run()
            #expect(report.chunksRemoved == 1, "only the chunk the middle backup alone named goes, not the one the later backup shares: \(report)")
            let verified = try await BackupVerifier(store: store).verify()
            #expect(verified.isClean, "\(verified.problems)")
            for (manifest, disk) in [(manifests[2], versions[2]), (manifests[0], versions[0])] {
                let restored = folder + "/\(manifest.id).raw"
                try await BackupReader(store: store).restore(manifest, disk: "root", to: RawFileRestoreTarget(path: restored))
                #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: restored))) == disk)
            }
        }
    }

    @Test("a dry run removes nothing; the kept list names every rule that keeps each backup")
    func dryRun() async throws {
        try await withTemporaryDirectory { folder in
            let (store, manifests, _) = try await Self.chain(folder)
            let outcome = try store.prune(
                project: "default", instance: "web", policy: RetentionPolicy(keepLast: 1, keepDaily: 2), calendar: RetentionPolicyTests.utc,
                dryRun: true)
            #expect(outcome.kept.map(\.id) == [manifests[2].id, manifests[1].id])
            #expect(outcome.kept.first?.reasons == [.last, .daily])
            #expect(outcome.removed.map(\.id) == [manifests[0].id])
            #expect(outcome.removed.first?.createdAt == Self.date("2026-10-20T10:00:00Z"))
            #expect(try store.manifests(project: "default", instance: "web").manifests.count == 3)
        }
    }

    @Test("a policy with no rule, or a negative count, is refused and removes nothing")
    func emptyPolicy() async throws {
        try await withTemporaryDirectory { folder in
            let (store, _, _) = try await Self.chain(folder)
            for policy in [RetentionPolicy(), RetentionPolicy(keepLast: -1)] {
                #expect {
                    try store.prune(project: "default", instance: "web", policy: policy, calendar: RetentionPolicyTests.utc, dryRun: false)
                } throws: { error in
                    (error as? JoistError)?.code == .invalidArgument && "\(error)".contains("keep")
                }
            }
            #expect(try store.backupIDs(project: "default", instance: "web").count == 3)
        }
    }

    @Test("pruning an instance with no backups, or one of another instance, touches nothing else")
    func otherInstances() async throws {
        try await withTemporaryDirectory { folder in
            let (store, _, _) = try await Self.chain(folder)
            let outcome = try store.prune(
                project: "default", instance: "db", policy: RetentionPolicy(keepLast: 1), calendar: RetentionPolicyTests.utc, dryRun: false)
            #expect(outcome.kept.isEmpty && outcome.removed.isEmpty)
            #expect(try store.backupIDs(project: "default", instance: "db").isEmpty)
            #expect(try store.backupIDs(project: "default", instance: "web").count == 3)
        }
    }
}
