import Foundation
import JoistAPI
import JoistCore

/// Snapshots and their schedules on the wire: with every optional set and with none.
enum SnapshotSamples {
    static let date = Date(timeIntervalSince1970: 1_760_000_000)

    static let all: [WireSample] = [
        WireSample(
            "stateful snapshot", "InstanceSnapshot",
            InstanceSnapshot(
                name: "before-upgrade", stateful: true, parent: "auto-20251009-085320", createdAt: date, scheduled: false, current: true,
                disks: [
                    InstanceSnapshotDisk(disk: "default/web-1-root", size: .gibibytes(8)),
                    InstanceSnapshotDisk(disk: "/srv/data.qcow2", size: .mebibytes(512)),
                ], vmStateSize: 268_435_456)),
        WireSample(
            "scheduled disk snapshot", "InstanceSnapshot",
            InstanceSnapshot(name: "auto-20251009-085320", stateful: false, createdAt: date, scheduled: true, disks: [])),
        WireSample(
            "disk snapshot of a running guest without an agent", "InstanceSnapshot",
            InstanceSnapshot(
                name: "nightly", stateful: false, createdAt: date, disks: [],
                filesystemFreeze: .notFrozen("no guest agent answered within 3.0 seconds"))),
        WireSample("frozen filesystems", "FilesystemFreeze", FilesystemFreeze.frozen(1)),
        WireSample("unfrozen filesystems", "FilesystemFreeze", FilesystemFreeze(frozen: false)),
        WireSample("snapshot disk", "InstanceSnapshotDisk", InstanceSnapshotDisk(disk: "default/web-1-root", size: .gibibytes(8))),
        WireSample("full snapshot create", "InstanceSnapshotCreate", InstanceSnapshotCreate(name: "before-upgrade", stateful: true)),
        WireSample("minimal snapshot create", "InstanceSnapshotCreate", InstanceSnapshotCreate(name: "s")),
        WireSample("forced restore", "InstanceSnapshotRestore", InstanceSnapshotRestore(force: true)),
        WireSample("plain restore", "InstanceSnapshotRestore", InstanceSnapshotRestore()),
        WireSample("full schedule", "SnapshotSchedulePut", SnapshotSchedulePut(every: "1h", keep: 24, stateful: true)),
        WireSample("minimal schedule", "SnapshotSchedulePut", SnapshotSchedulePut(every: "1d", keep: 7)),
        WireSample(
            "schedule info", "SnapshotScheduleInfo",
            SnapshotScheduleInfo(every: "1h", keep: 24, stateful: false, since: date, nextAt: date.addingTimeInterval(3600))),
    ]
}
