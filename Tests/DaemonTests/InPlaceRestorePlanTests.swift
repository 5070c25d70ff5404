import Backup
import Foundation
import JoistCore
import QEMUDriver
import Testing

@testable import Daemon

/// What an in-place restore decides before touching a disk: which backed-up disk replaces which
/// image, and every refusal, named.
@Suite("In-place restore plans")
struct InPlaceRestorePlanTests {
    static let volume = DiskSpec(volume: VolumeReference(pool: "default", name: "data"))
    static let file = DiskSpec(path: "/srv/web.raw", format: .raw)
    static let disks = [
        AttachedDisk(spec: volume, path: "/pool/volumes/default/data.qcow2", format: .qcow2),
        AttachedDisk(spec: file, path: "/srv/web.raw", format: .raw),
    ]

    static func manifest(_ sizes: [String: UInt64]) throws -> BackupManifest {
        let disks = sizes.keys.sorted().map { name in
            let size = sizes[name] ?? 0
            let count = ChunkPlan.count(size: size, chunkSize: 1 << 20)
            return BackupManifest.Disk(
                name: name, size: size, chunkSize: 1 << 20, read: .full, chunks: Array(repeating: ChunkRef.zero, count: count), stats: .init())
        }
        return BackupManifest(
            id: try BackupID("20261122T101500Z-000001"), project: "default", instance: "web", createdAt: Date(), kind: .full, parent: nil,
            disks: disks)
    }

    static let sizes: [String: UInt64] = ["default/data": 8 << 20, "/srv/web.raw": 2 << 20]

    @Test("each disk is written into its own image, keeping its format")
    func steps() throws {
        let plan = try InPlaceRestorePlan(try Self.manifest(Self.sizes), instance: "web", disks: Self.disks, sizes: Self.sizes, snapshots: [], force: false)
        #expect(
            plan.steps == [
                .init(disk: "default/data", source: Self.volume.source, path: "/pool/volumes/default/data.qcow2", format: .qcow2, size: 8 << 20),
                .init(disk: "/srv/web.raw", source: Self.file.source, path: "/srv/web.raw", format: .raw, size: 2 << 20),
            ])
        #expect(plan.droppedSnapshots.isEmpty)
    }

    @Test("snapshots are refused, naming them, unless forced; forced, they are dropped")
    func snapshots() throws {
        let manifest = try Self.manifest(Self.sizes)
        #expect {
            try InPlaceRestorePlan(manifest, instance: "web", disks: Self.disks, sizes: Self.sizes, snapshots: ["before", "nightly"], force: false)
        } throws: { error in
            let message = (error as? JoistError)?.message ?? ""
            return message.contains("before, nightly") && message.contains("--force")
        }
        let forced = try InPlaceRestorePlan(manifest, instance: "web", disks: Self.disks, sizes: Self.sizes, snapshots: ["before"], force: true)
        #expect(forced.droppedSnapshots == ["before"])
    }

    @Test(
        "disks attached, detached or resized since the backup are refused, naming the disk",
        arguments: [
            (["default/data": 8 << 20], "/srv/web.raw"),  // attached later
            (["default/data": 8 << 20, "/srv/web.raw": 2 << 20, "default/old": 1 << 20], "default/old"),  // detached since
            (["default/data": 4 << 20, "/srv/web.raw": 2 << 20], "default/data"),  // resized since
        ] as [([String: UInt64], String)])
    func mismatches(backedUp: [String: UInt64], named: String) throws {
        let manifest = try Self.manifest(backedUp)
        #expect {
            try InPlaceRestorePlan(manifest, instance: "web", disks: Self.disks, sizes: Self.sizes, snapshots: [], force: true)
        } throws: { error in
            let message = (error as? JoistError)?.message ?? ""
            return message.contains(named) && message.contains("--as")
        }
    }

    @Test("a store-wide verify that found damage fails listing the damaged backups as INSTANCE/ID; a clean one does not fail")
    func verifyOutcome() throws {
        var report = VerifyReport()
        report.backups = 3
        #expect(BackupStoreVerifyOutcome.failure(report, store: "default", project: "default") == nil)
        let first = try BackupID("20261122T101500Z-000001"), second = try BackupID("20261122T111500Z-000002")
        report.damaged = [
            VerifyReport.DamagedBackup(project: "default", instance: "web", id: first, badChunks: 2),
            VerifyReport.DamagedBackup(project: "default", instance: "gone", id: second, badChunks: 1),
        ]
        let chunk = try #require(ChunkID(hex: String(repeating: "ab", count: 32)))
        report.problems = [VerifyReport.Problem(error: ChunkError.missing(chunk), backups: [first, second])]
        let failure = try #require(BackupStoreVerifyOutcome.failure(report, store: "default", project: "default"))
        let expected =
            "backup store default, project default: 2 of 3 backup(s) damaged: web/20261122T101500Z-000001 (2 chunk(s) missing or corrupt), "
            + "gone/20261122T111500Z-000002 (1 chunk(s) missing or corrupt)"
        #expect(failure.message == expected)
        #expect(failure.code == JoistError.Code.invalidState)
    }
}

/// The supervisor's side of an in-place restore that needs no QEMU: a running guest is refused.
@Suite("In-place restore of a running instance")
struct InPlaceRestoreRunningTests {
    @Test("a running instance is refused, naming joist stop, and its disk is left alone")
    func running() async throws {
        try await SnapshotSupervisorTests.withRunningInstance { vm1, _, daemon, disk in
            let store = try ChunkStore.openOrCreate(daemon.directory + "/store")
            let manifest = try await BackupWriter(store: store).write(
                project: "default", instance: "vm1", disks: [disk: ZeroDisk(size: 16 << 20)])
            let before = try FileManager.default.attributesOfItem(atPath: disk)[.modificationDate] as? Date
            await #expect {
                try await vm1.restoreInPlace(manifest, from: store, force: false)
            } throws: { error in
                let message = (error as? JoistError)?.message ?? ""
                return message.contains("while it is running") && message.contains("`joist stop vm1`")
            }
            #expect(try FileManager.default.attributesOfItem(atPath: disk)[.modificationDate] as? Date == before)
        }
    }
}

/// A disk of zeros, as a freshly created image reads.
private struct ZeroDisk: BackupSource {
    let size: UInt64
    func changedExtents() async throws -> [DiskExtent]? { nil }
    func read(offset: UInt64, length: Int) async throws -> [UInt8] { [UInt8](repeating: 0, count: length) }
}
