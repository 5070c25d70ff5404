import Foundation
import JoistAPI
import JoistCore

/// Backup stores on the wire: with every optional set, and with none.
enum BackupSamples {
    static let date = WireSamples.date

    static let fullStore = BackupStore(name: "offsite", path: "/mnt/backup/joist", description: "USB disk", createdAt: date)
    static let minimalStore = BackupStore(name: "default", path: "/var/lib/joist/backups", createdAt: date)
    static let fullUsage = BackupStoreUsage(backups: 42, capacity: 2 << 40, free: 1 << 40, chunks: 10_240, storedBytes: 30 << 30)
    static let minimalUsage = BackupStoreUsage(backups: 0, capacity: 0, free: 0)
    static let fullInfo = BackupStoreInfo(store: fullStore, usage: fullUsage, chunkSize: 4 << 20)
    static let fullBackupStats = InstanceBackupStats(
        bytesRead: 8 << 20, bytesNew: 4 << 20, bytesStored: 1 << 20, chunksNew: 1, chunksReused: 1, chunksUnchanged: 254, chunksZero: 0)
    static let fullBackupDisk = InstanceBackupDisk(
        name: "default/web-root", size: 1 << 30, read: "incremental", checkpoint: "20261122T111500Z-3f9a1c", stats: fullBackupStats)
    static let fullBackup = InstanceBackup(
        id: "20261122T111500Z-3f9a1c", store: "offsite", instance: "web", createdAt: date, kind: "incremental",
        parent: "20261122T101500Z-000001", disks: [fullBackupDisk], stats: fullBackupStats, filesystemFreeze: .frozen(2), instanceExists: false,
        hasConfiguration: true)
    static let minimalInfo = BackupStoreInfo(store: minimalStore, usage: minimalUsage, chunkSize: 4 << 20)

    static let all: [WireSample] = [
        WireSample("full backup store", "BackupStore", fullStore),
        WireSample("minimal backup store", "BackupStore", minimalStore),
        WireSample("full backup store usage", "BackupStoreUsage", fullUsage),
        WireSample("minimal backup store usage", "BackupStoreUsage", minimalUsage),
        WireSample("full backup store info", "BackupStoreInfo", fullInfo),
        WireSample("minimal backup store info", "BackupStoreInfo", minimalInfo),
        WireSample(
            "full backup store create", "BackupStoreCreate",
            BackupStoreCreate(name: "offsite", path: "/mnt/backup/joist", description: "USB disk")),
        WireSample("minimal backup store create", "BackupStoreCreate", BackupStoreCreate(name: "offsite", path: "/mnt/backup/joist")),
        WireSample("backup store page", "BackupStoreInfoPage", Page(items: [fullInfo, minimalInfo], next: "offsite")),
        WireSample("last backup store page", "BackupStoreInfoPage", Page<BackupStoreInfo>(items: [])),
        WireSample("full instance backup", "InstanceBackup", fullBackup),
        WireSample(
            "minimal instance backup", "InstanceBackup",
            InstanceBackup(id: "20261122T101500Z-000001", store: "default", instance: "web", createdAt: date, kind: "full", disks: [], stats: .init())),
        WireSample("full instance backup disk", "InstanceBackupDisk", fullBackupDisk),
        WireSample("minimal instance backup disk", "InstanceBackupDisk", InstanceBackupDisk(name: "/srv/disk.raw", size: 0, read: "full", stats: .init())),
        WireSample("instance backup stats", "InstanceBackupStats", fullBackupStats),
        WireSample("full instance backup create", "InstanceBackupCreate", InstanceBackupCreate(store: "offsite", snapshot: "before-upgrade")),
        WireSample("minimal instance backup create", "InstanceBackupCreate", InstanceBackupCreate()),
        WireSample("instance backup restore", "InstanceBackupRestore", InstanceBackupRestore(as: "web-restored")),
        WireSample("in-place instance backup restore", "InstanceBackupRestore", InstanceBackupRestore(inPlace: true, force: true)),
    ]
}
