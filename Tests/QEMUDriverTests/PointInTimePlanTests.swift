import JoistCore
import QEMUDriver
import QMP
import Testing

@Suite("Point-in-time export plans and change tracking")
struct PointInTimePlanTests {
    static let data = DiskSpec.Source.volume(VolumeReference(pool: "default", name: "data"))
    static let scratch = DiskSpec.Source.file("/srv/scratch.img")

    static func plan(fleecing: Bool = true) throws -> PointInTimePlan {
        PointInTimePlan(
            disks: [
                (data, .qcow2, 1 << 30, .since(try BackupCheckpoint("b1"))),
                (scratch, .raw, 64 << 20, .full(reason: "raw")),
            ],
            checkpoint: try BackupCheckpoint("b2"), socketPath: "/run/joist/web-1/backup.nbd", scratchDirectory: "/var/lib/joist/pools/default",
            fleecing: fleecing)
    }

    @Test("a running guest: overlays, then one transaction of bitmap switch and fleecing jobs, then exports, then teardown (golden)")
    func runningGuest() throws {
        let plan = try Self.plan()
        let lines = plan.prepare.map(\.description) + [plan.transaction.description] + plan.exports.map(\.description)
            + plan.teardown.map(\.description)
        try Golden.check("backup-view-running.plan", lines)
        // Only the qcow2 disk gets a bitmap; both get a fleecing job, all in the one transaction.
        let text = plan.transaction.description
        #expect(text.components(separatedBy: "block-dirty-bitmap-add").count == 2)
        #expect(text.components(separatedBy: "blockdev-backup").count == 3)
    }

    @Test("a stopped guest: no overlays or jobs; the disks' own nodes are exported (golden)")
    func stoppedGuest() throws {
        let plan = try Self.plan(fleecing: false)
        let lines = plan.prepare.map(\.description) + [plan.transaction.description] + plan.exports.map(\.description)
            + plan.teardown.map(\.description)
        try Golden.check("backup-view-stopped.plan", lines)
    }

    @Test("after success the base bitmap and stale ones go; after failure the new bitmap is merged back into the base (golden)")
    func finish() throws {
        let plan = try Self.plan()
        let node = DiskNames(for: Self.data).node
        let success = try #require(plan.finish(succeeded: true, otherBitmaps: [node: ["joist-b1", "joist-b2", "joist-old", "user-bitmap"]]))
        let failure = try #require(plan.finish(succeeded: false))
        try Golden.check("backup-view-finish.plan", [success.description, failure.description])
        #expect(!success.description.contains("user-bitmap"))
        let full = PointInTimePlan(
            disks: [(Self.scratch, .raw, 1 << 20, .full(reason: "raw"))], checkpoint: try BackupCheckpoint("b3"), socketPath: "/s",
            scratchDirectory: "/d", fleecing: true)
        #expect(full.finish(succeeded: true) == nil && full.finish(succeeded: false) == nil)
    }

    @Test("with a snapshot: overlays open without a backing, the snapshot precedes each disk's job in the transaction, backings come back before the exports (golden)")
    func snapshotInTransaction() throws {
        let node = DiskNames(for: Self.data).node
        var plan = try Self.plan()
        plan.snapshot = PointInTimePlan.Snapshot(name: "before-upgrade", nodes: [node])
        let lines = plan.prepare.map(\.description) + [plan.transaction.description] + plan.exports.map(\.description)
            + plan.dropSnapshot.map(\.description)
        try Golden.check("backup-view-snapshot.plan", lines)
        let transaction = plan.transaction.description
        let snapshot = try #require(transaction.range(of: "blockdev-snapshot-internal-sync"))
        let job = try #require(transaction.range(of: "\"device\":\"\(node)\",\"target\""))
        #expect(snapshot.lowerBound < job.lowerBound, "QEMU snapshots root nodes only: before the job's filter goes above the disk")
        #expect(transaction.components(separatedBy: "blockdev-snapshot-internal-sync").count == 2, "only the named disk")
        #expect(plan.prepare.allSatisfy { !$0.description.contains("\"backing\":\"") })
        #expect(plan.exports.prefix(2).allSatisfy { $0.description.hasPrefix("blockdev-reopen") })
        #expect(try Self.plan().dropSnapshot.isEmpty)
    }

    @Test("an interrupted backup's bitmap is merged back into its base, or removed alone; nothing is done when the transaction never ran")
    func settleInterrupted() throws {
        let plan = try Self.plan()
        let node = DiskNames(for: Self.data).node
        let merged = try #require(plan.settleInterrupted(bitmaps: [node: [QMPDirtyBitmap(name: "joist-b1", recording: false), QMPDirtyBitmap(name: "joist-b2")]]))
        try Golden.check("backup-view-settle.plan", [merged.description])
        #expect(merged.description.contains("block-dirty-bitmap-enable"))
        // The base kept recording (the daemon died before the transaction's commit was settled): no enable.
        let recording = try #require(plan.settleInterrupted(bitmaps: [node: [QMPDirtyBitmap(name: "joist-b1"), QMPDirtyBitmap(name: "joist-b2")]]))
        #expect(!recording.description.contains("enable") && recording.description.contains("merge"))
        // A successful finish already removed the base; or the base is unreliable: the new bitmap just goes.
        for bitmaps in [[QMPDirtyBitmap(name: "joist-b2")], [QMPDirtyBitmap(name: "joist-b1", inconsistent: true), QMPDirtyBitmap(name: "joist-b2")]] {
            let removed = try #require(plan.settleInterrupted(bitmaps: [node: bitmaps]))
            #expect(!removed.description.contains("merge") && removed.description.contains("block-dirty-bitmap-remove"), "\(removed)")
        }
        #expect(plan.settleInterrupted(bitmaps: [node: [QMPDirtyBitmap(name: "joist-b1")]]) == nil)
        #expect(plan.settleInterrupted(bitmaps: [:]) == nil)
    }

    @Test("change tracking: incremental only with a present, consistent, recording bitmap", arguments: [
        ([QMPDirtyBitmap(name: "joist-b1")], "since"),
        ([], "no record of changes"),
        ([QMPDirtyBitmap(name: "joist-b1", inconsistent: true)], "unreliable"),
        ([QMPDirtyBitmap(name: "joist-b1", recording: false)], "stopped recording"),
        ([QMPDirtyBitmap(name: "joist-b0")], "no record of changes"),
    ])
    func decide(bitmaps: [QMPDirtyBitmap], expected: String) throws {
        let tracking = try ChangeTracking.decide(previous: try BackupCheckpoint("b1"), format: .qcow2, bitmaps: bitmaps)
        switch tracking {
        case .since(let base): #expect(expected == "since" && base.id == "b1")
        case .full(let reason): #expect(reason.contains(expected), "\(reason)")
        }
    }

    @Test("change tracking: raw images and first backups are full; a busy bitmap is another backup running")
    func decideEdges() throws {
        let b1 = try BackupCheckpoint("b1")
        #expect(try ChangeTracking.decide(previous: b1, format: .raw, bitmaps: [QMPDirtyBitmap(name: "joist-b1")]).base == nil)
        #expect(try ChangeTracking.decide(previous: nil, format: .qcow2, bitmaps: []).base == nil)
        #expect(throws: JoistError.self) {
            try ChangeTracking.decide(previous: b1, format: .qcow2, bitmaps: [QMPDirtyBitmap(name: "joist-b1", busy: true)])
        }
    }

    @Test("checkpoint ids are short and safe in QMP names", arguments: ["", "a b", "x/y", String(repeating: "a", count: 65), "é"])
    func badCheckpoints(id: String) {
        #expect(throws: JoistError.self) { try BackupCheckpoint(id) }
    }

    @Test("an export says whether its bitmap can be trusted and names its NBD context")
    func diskExport() throws {
        let b1 = try BackupCheckpoint("b1")
        let export = DiskExport(
            source: Self.data, socketPath: "/s", exportName: "disk-x", size: 1, checkpoint: try BackupCheckpoint("b2"), changes: .since(b1))
        #expect(export.bitmapValid && export.dirtyBitmapContext == "qemu:dirty-bitmap:joist-b1")
        var full = export
        full.changes = .full(reason: "first")
        #expect(!full.bitmapValid && full.dirtyBitmapContext == nil)
    }

    @Test("the storage daemon opens each disk read-write under the guest's node names, with a QMP monitor (golden)")
    func storageDaemonArgv() throws {
        let disk = AttachedDisk(spec: DiskSpec(volume: VolumeReference(pool: "default", name: "data")), path: "/p/data.qcow2", format: .qcow2, readOnly: true)
        try Golden.check("storage-daemon.argv", StorageDaemon.argv(disks: [disk], directory: "/run/joist/web-1"))
    }
}
