import Foundation
import JoistAPI

/// Backup stores on the wire: with every optional set, and with none.
enum BackupSamples {
    static let date = WireSamples.date

    static let fullStore = BackupStore(name: "offsite", path: "/mnt/backup/joist", description: "USB disk", createdAt: date)
    static let minimalStore = BackupStore(name: "default", path: "/var/lib/joist/backups", createdAt: date)
    static let fullUsage = BackupStoreUsage(backups: 42, capacity: 2 << 40, free: 1 << 40, chunks: 10_240, storedBytes: 30 << 30)
    static let minimalUsage = BackupStoreUsage(backups: 0, capacity: 0, free: 0)
    static let fullInfo = BackupStoreInfo(store: fullStore, usage: fullUsage, chunkSize: 4 << 20)
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
    ]
}
