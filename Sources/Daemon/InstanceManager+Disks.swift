public import JoistAPI
public import JoistCore

extension InstanceManager {
    /// Attaches a volume (`POOL/NAME[,bus=…][,cache=…][,discard=on]`) to an instance, hot-plugging it
    /// into the guest when it runs. The volume must exist in the instance's project and be free.
    public func attachDisk(_ text: String, to name: String, in project: String) async throws -> Instance {
        let disk = try DiskSpec(parsing: text)
        guard let volume = disk.volume else {
            throw JoistError.invalidArgument("only volumes (POOL/NAME) can be attached to an existing instance, not '\(disk.source)'")
        }
        let supervisor = try supervisor(name, in: project)
        try await storage.attach(volume, project: project, instance: name)
        do {
            try await supervisor.attachDisk(disk)
        } catch {
            await storage.detach(volume, project: project, instance: name)
            throw error
        }
        return await supervisor.snapshot()
    }

    /// Detaches a volume from an instance, unplugging it from the guest when it runs.
    public func detachDisk(_ volume: VolumeReference, from name: String, in project: String) async throws -> Instance {
        let supervisor = try supervisor(name, in: project)
        _ = try await supervisor.detachDisk(.volume(volume))
        await storage.detach(volume, project: project, instance: name)
        return await supervisor.snapshot()
    }

    /// Resizes the volume in whichever of `instances` runs, live; false when none of them runs.
    /// The storage manager asks this before resizing a volume in use (see `StorageManager.LiveResize`).
    public func resizeRunningDisk(_ volume: VolumeReference, of instances: [String], in project: String, to size: ByteSize) async throws -> Bool {
        for name in instances {
            guard let supervisor = try? supervisor(name, in: project) else { continue }
            if try await supervisor.resizeRunningDisk(volume, to: size) { return true }
        }
        return false
    }

    /// The first of `names` whose guest has a process (running, paused, starting, stopping), if any.
    public func firstRunning(of names: [String], in project: String) async throws -> String? {
        for name in names {
            guard let supervisor = try? supervisor(name, in: project) else { continue }
            if await supervisor.snapshot().state.hasProcess { return name }
        }
        return nil
    }
}
