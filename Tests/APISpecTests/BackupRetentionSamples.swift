import Foundation
import JoistAPI

/// Prunes and backup schedules on the wire: with every optional set, and with none.
enum BackupRetentionSamples {
    static let date = WireSamples.date
    static let everyRule = BackupKeep(last: 3, hourly: 24, daily: 7, weekly: 4, monthly: 6, yearly: 2)

    static let all: [WireSample] = [
        WireSample("full instance backup prune", "InstanceBackupPrune", InstanceBackupPrune(keep: everyRule, store: "offsite", dryRun: true)),
        WireSample("minimal instance backup prune", "InstanceBackupPrune", InstanceBackupPrune(keep: BackupKeep(last: 1))),
        WireSample(
            "instance backup prune result", "InstanceBackupPruneResult",
            InstanceBackupPruneResult(
                instance: "web", store: "default", dryRun: false,
                kept: [InstanceBackupPruneEntry(id: "20261122T111500Z-3f9a1c", createdAt: date, keptBy: ["last", "daily"])],
                removed: [InstanceBackupPruneEntry(id: "20261121T101500Z-000001", createdAt: date)])),
        WireSample(
            "empty instance backup prune result", "InstanceBackupPruneResult",
            InstanceBackupPruneResult(instance: "web", store: "default", dryRun: true, kept: [], removed: [])),
        WireSample(
            "kept backup", "InstanceBackupPruneEntry", InstanceBackupPruneEntry(id: "20261122T111500Z-3f9a1c", createdAt: date, keptBy: ["weekly"])),
        WireSample("removed backup", "InstanceBackupPruneEntry", InstanceBackupPruneEntry(id: "20261121T101500Z-000001", createdAt: date)),
        WireSample("full backup schedule put", "BackupSchedulePut", BackupSchedulePut(every: "1d", store: "offsite", keep: everyRule)),
        WireSample("minimal backup schedule put", "BackupSchedulePut", BackupSchedulePut(every: "6h")),
        WireSample(
            "full backup schedule", "BackupScheduleInfo",
            BackupScheduleInfo(every: "1d", store: "offsite", keep: everyRule, since: date, nextAt: date.addingTimeInterval(86_400))),
        WireSample(
            "minimal backup schedule", "BackupScheduleInfo",
            BackupScheduleInfo(every: "6h", store: "default", keep: BackupKeep(), since: date, nextAt: date)),
    ]
}
