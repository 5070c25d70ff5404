import Foundation
import JoistCore
import Storage

/// How the recorded snapshots of an instance are brought in step with the tags its qcow2 images
/// hold. Pure: the supervisor reads the images and applies the outcome.
///
/// - A recorded snapshot missing from one of its disks that was read is forgotten (a crash between
///   deleting the tags and the record, or someone deleted it with qemu-img); its children take its
///   parent. Disks not read (detached, unreadable) decide nothing.
/// - A tag not recorded is adopted (a crash between taking the tags and the record, or a snapshot
///   made with qemu-img): with the disks holding it, no parent, and stateful when it saved state.
///   Tags that are not valid snapshot names are left alone: Joist could not address them.
struct SnapshotReconciliation: Equatable {
    /// One disk as it was read: its source and virtual size, and the snapshots its image holds.
    struct Disk: Equatable {
        var source: String
        var size: ByteSize
        var snapshots: [ImageSnapshot]
    }

    var snapshots: [SnapshotRecord]
    var current: String?
    var forgotten: [String] = []
    var adopted: [String] = []
    var ignored: [String] = []

    var changed: Bool { !forgotten.isEmpty || !adopted.isEmpty }

    init(recorded: [SnapshotRecord], current: String?, disks: [Disk]) {
        self.snapshots = recorded
        self.current = current
        let tags = Dictionary(disks.map { ($0.source, Set($0.snapshots.map(\.name))) }) { first, _ in first }
        for snapshot in recorded {
            let missing = snapshot.disks.contains { disk in tags[disk.source].map { !$0.contains(snapshot.name) } ?? false }
            guard missing, let record = snapshots.first(where: { $0.name == snapshot.name }) else { continue }
            snapshots = SnapshotTree.removing(snapshot.name, from: snapshots)
            if self.current == snapshot.name { self.current = record.parent }
            forgotten.append(snapshot.name)
        }
        let known = Set(recorded.map(\.name))
        var found: [String: [(disk: Disk, snapshot: ImageSnapshot)]] = [:]
        for disk in disks {
            for snapshot in disk.snapshots where !known.contains(snapshot.name) { found[snapshot.name, default: []].append((disk, snapshot)) }
        }
        var adoptions: [SnapshotRecord] = []
        for (name, holders) in found {
            guard (try? ResourceName.validate(name, kind: "snapshot")) != nil else {
                ignored.append(name)
                continue
            }
            // The disk with the saved state goes first, as in a snapshot Joist takes.
            let ordered = holders.sorted { $0.snapshot.vmStateSize > $1.snapshot.vmStateSize }
            let vmState = ordered.first?.snapshot.vmStateSize ?? 0
            adoptions.append(
                SnapshotRecord(
                    name: name, stateful: vmState > 0, parent: nil,
                    createdAt: Date(timeIntervalSince1970: TimeInterval(holders.map(\.snapshot.dateSeconds).min() ?? 0)),
                    scheduled: name.hasPrefix("auto-"), disks: ordered.map { SnapshotRecord.Disk(source: $0.disk.source, size: $0.disk.size) },
                    vmStateSize: vmState > 0 ? vmState : nil))
        }
        adoptions.sort { ($0.createdAt, $0.name) < ($1.createdAt, $1.name) }
        snapshots += adoptions
        adopted = adoptions.map(\.name)
        ignored.sort()
    }
}
