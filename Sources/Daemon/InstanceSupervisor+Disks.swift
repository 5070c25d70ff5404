import Foundation
import JoistCore
import QEMUDriver
import Storage

extension InstanceSupervisor {
    /// `disks` as QEMU opens them: each volume's image file and format looked up in its pool.
    func attachedDisks(_ disks: [DiskSpec]) async throws -> [AttachedDisk] {
        var located: [VolumeReference: (path: String, format: DiskFormat)] = [:]
        for volume in disks.compactMap(\.volume) {
            located[volume] = try await storage.locate(volume, project: key.project)
        }
        return try AttachedDisk.resolve(disks) { volume in
            guard let image = located[volume] else { throw JoistError.notFound("volume \(volume) not found") }
            return image
        }
    }

    /// The CD-ROM drive with the ISO image `fingerprint` in it; the image store keeps the file.
    func cdromDrive(_ fingerprint: String?) throws -> [AttachedDisk] {
        guard let fingerprint else { return [] }
        let path = try ImageFiles(stateDirectory: env.stateDirectory).path(of: fingerprint, format: .iso)
        guard FileManager.default.fileExists(atPath: path) else {
            throw JoistError.notFound("the CD-ROM image \(fingerprint.prefix(12)) of instance \(name) is no longer in the image store")
        }
        return [.cdrom(path: path)]
    }

    /// Adds a disk to the instance's configuration, plugging it into the guest first when it runs.
    /// The caller has recorded the volume's new user with the storage manager.
    public func attachDisk(_ disk: DiskSpec) async throws {
        try await operations.withLock { try await self.performAttach(disk) }
    }

    private func performAttach(_ disk: DiskSpec) async throws {
        try ensureExists()
        var updated = record.spec
        updated.disks.append(disk)
        try updated.validate(host: env.host, fileExists: { FileManager.default.fileExists(atPath: $0) })
        let hotplugger = try runningHotplugger(for: "attach disk \(disk.source) to")
        if let hotplugger {
            guard let attached = try await attachedDisks([disk]).first else { return }
            try await hotplugger.attach(attached)
        }
        let previous = record.spec
        record.spec = updated
        do {
            try await persist()
        } catch {
            record.spec = previous
            if let hotplugger { try? await hotplugger.detach(disk) }
            throw error
        }
        logger.info("attached disk \(disk.source)\(hotplugger == nil ? "" : " to the running guest")")
        publishUpdated()
    }

    /// Takes the disk with `source` out of the configuration, unplugging it from the guest first when
    /// it runs (the guest must release it). Returns the disk removed.
    public func detachDisk(_ source: DiskSpec.Source) async throws -> DiskSpec {
        try await operations.withLock { try await self.performDetach(source) }
    }

    private func performDetach(_ source: DiskSpec.Source) async throws -> DiskSpec {
        try ensureExists()
        guard let index = record.spec.disks.firstIndex(where: { $0.source == source }) else {
            throw JoistError.notFound("instance \(name) has no disk \(source)")
        }
        let disk = record.spec.disks[index]
        guard lifecycle.state != .paused else {
            throw JoistError.invalidState("cannot detach disk \(source) from instance \(name) while it is paused: the guest must release the disk; resume it first")
        }
        if let hotplugger = try runningHotplugger(for: "detach disk \(source) from") {
            try await hotplugger.detach(disk)
        }
        record.spec.disks.remove(at: index)
        do {
            try await persist()
        } catch {
            record.spec.disks.insert(disk, at: index)
            throw error
        }
        logger.info("detached disk \(source)")
        publishUpdated()
        return disk
    }

    /// Resizes the volume's disk in the running guest (QMP `block_resize`), so the guest sees the new
    /// size at once. Answers false, changing nothing, when the guest is not running or has no such disk.
    public func resizeRunningDisk(_ volume: VolumeReference, to size: ByteSize) async throws -> Bool {
        try await operations.withLock { try await self.performResize(volume, to: size) }
    }

    private func performResize(_ volume: VolumeReference, to size: ByteSize) async throws -> Bool {
        guard let disk = record.spec.disks.first(where: { $0.volume == volume }),
            let hotplugger = try runningHotplugger(for: "resize disk \(volume) of")
        else { return false }
        try await hotplugger.resize(disk, to: size)
        return true
    }

    /// The disk hot-plugger of a running or paused guest; nil for a stopped one.
    private func runningHotplugger(for action: String) throws -> DiskHotplugger? {
        try runningQMP(for: action).map { DiskHotplugger(qmp: $0, machine: record.spec.machine) }
    }
}
