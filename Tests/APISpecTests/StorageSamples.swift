import Foundation
import JoistAPI
import JoistCore

/// Storage pools and volumes on the wire: with every optional set, with none, and every enum case.
enum StorageSamples {
    static let date = WireSamples.date

    static let fullPool = StoragePool(
        name: "fast", driver: .btrfs, path: "/srv/joist/fast", description: "NVMe pool", overcommit: 1.5, createdAt: date)
    static let minimalPool = StoragePool(name: "default", driver: .dir, path: "/var/lib/joist/storage/default", createdAt: date)
    static let usage = StoragePoolUsage(capacity: 500 << 30, free: 320 << 30, used: 12 << 30, allocated: 200 << 30)
    static let fullPoolInfo = StoragePoolInfo(
        pool: fullPool, usage: usage,
        volumes: [StorageVolumeEntry(project: "default", name: "data"), StorageVolumeEntry(project: "team-a", name: "web-1-root")])
    static let minimalPoolInfo = StoragePoolInfo(pool: minimalPool, usage: StoragePoolUsage(capacity: 0, free: 0, used: 0, allocated: 0), volumes: [])

    static let fullVolume = StorageVolume(
        pool: "fast", name: "web-1-root", project: "team-a", format: .qcow2, size: .gibibytes(20), allocated: 1_610_612_736,
        linkedTo: VolumeReference(pool: "fast", name: "debian-12"), dependents: [VolumeReference(pool: "fast", name: "web-2-root")],
        usedBy: ["web-1"], createdAt: date)
    static let minimalVolume = StorageVolume(
        pool: "default", name: "data", project: "default", format: .raw, size: .mebibytes(1), allocated: 0, createdAt: date)

    static let all: [WireSample] = [
        WireSample("full pool", "StoragePool", fullPool),
        WireSample("minimal pool", "StoragePool", minimalPool),
        WireSample("pool usage", "StoragePoolUsage", usage),
        WireSample("full pool info", "StoragePoolInfo", fullPoolInfo),
        WireSample("minimal pool info", "StoragePoolInfo", minimalPoolInfo),
        WireSample("volume entry", "StorageVolumeEntry", StorageVolumeEntry(project: "default", name: "data")),
        WireSample(
            "full pool create", "StoragePoolCreate",
            StoragePoolCreate(name: "fast", driver: .btrfs, path: "/srv/joist/fast", description: "NVMe pool", overcommit: 2)),
        WireSample("minimal pool create", "StoragePoolCreate", StoragePoolCreate(name: "fast", driver: .dir, path: "/srv/joist/fast")),
        WireSample("full volume", "StorageVolume", fullVolume),
        WireSample("minimal volume", "StorageVolume", minimalVolume),
        WireSample("volume reference", "VolumeReference", VolumeReference(pool: "default", name: "data")),
        WireSample("full volume create", "StorageVolumeCreate", StorageVolumeCreate(name: "data", size: "20GiB", format: .qcow2)),
        WireSample("minimal volume create", "StorageVolumeCreate", StorageVolumeCreate(name: "data", size: "1.5G")),
        WireSample("full resize", "StorageVolumeResize", StorageVolumeResize(size: "48GiB", allowShrink: true)),
        WireSample("minimal resize", "StorageVolumeResize", StorageVolumeResize(size: "48GiB")),
        WireSample("full clone", "StorageVolumeClone", StorageVolumeClone(name: "copy", linked: true)),
        WireSample("minimal clone", "StorageVolumeClone", StorageVolumeClone(name: "copy")),
        WireSample("pool page", "StoragePoolInfoPage", Page(items: [fullPoolInfo, minimalPoolInfo], next: "fast")),
        WireSample("last pool page", "StoragePoolInfoPage", Page<StoragePoolInfo>(items: [])),
        WireSample("volume page", "StorageVolumePage", Page(items: [fullVolume, minimalVolume], next: "default/data")),
        WireSample("last volume page", "StorageVolumePage", Page<StorageVolume>(items: [])),
    ] + StorageDriverKind.allCases.map { WireSample("\($0)", "StorageDriverKind", $0) }
        + DiskFormat.allCases.map { format in
            var volume = minimalVolume
            volume.format = format
            return WireSample("\(format) volume", "StorageVolume", volume)
        }
}
