import Activity
import Foundation
public import JoistAPI
import JoistCore
import QEMUDriver
import Store

/// One instance's address: names are unique within a project.
public struct InstanceKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var project: String
    public var name: String

    public init(project: String, name: String) {
        self.project = project
        self.name = name
    }

    /// The folder name under `STATE/instances`: the bare name in `default`, `PROJECT_NAME` elsewhere
    /// (`_` never occurs in a valid name, so the two cannot collide).
    var directoryName: String { project == Project.defaultName ? name : "\(project)_\(name)" }

    public var description: String { project == Project.defaultName ? name : "\(project)/\(name)" }

    public static func < (a: InstanceKey, b: InstanceKey) -> Bool { (a.project, a.name) < (b.project, b.name) }
}

/// The registry of instances: creates, finds, lists and deletes them, one supervisor each, within
/// their projects' limits.
public actor InstanceManager {
    let env: DaemonEnvironment
    public nonisolated let projects: ProjectRegistry
    public nonisolated let storage: StorageManager
    /// The networks that instances' NICs join.
    public nonisolated let networks: NetworkManager
    var supervisors: [String: [String: InstanceSupervisor]] = [:]
    /// Names being created right now, so a concurrent create of the same name is refused at once.
    private var pending: Set<InstanceKey> = []
    /// The NICs of every instance with a NIC on a network: the MACs and addresses a new NIC must
    /// avoid, the DHCP reservations of each network and the targets of its port forwards. Adding and
    /// removing NICs (`addNIC`, `removeNIC`) keep it true.
    var networkNICs: [InstanceKey: [NICSpec]] = [:]
    /// Backups a previous daemon left unfinished, found by `load` (see `takeInterruptedBackups`).
    var interruptedBackups: [(key: InstanceKey, note: BackupInProgress)] = []

    public init(env: DaemonEnvironment, projects: ProjectRegistry, storage: StorageManager, networks: NetworkManager) {
        self.env = env
        self.projects = projects
        self.storage = storage
        self.networks = networks
    }

    /// Loads every instance from the store, records which volumes and networks each uses, and
    /// re-attaches to the QEMU processes that outlived the last daemon. The storage and network
    /// managers must have loaded first; the networks' dnsmasqs start here, with the reservations.
    public func load() async throws {
        let (items, _) = try await env.store.range(prefix: InstanceRecord.rootPrefix)
        let decoder = APICoding.decoder()
        for item in items where InstanceRecord.isInstanceKey(item.key) {
            do {
                var record = try decoder.decode(InstanceRecord.self, from: item.value)
                // Records written before NICs had numbers: each gets its position, as its tap had.
                record.spec.nics = NICSpec.numbered(record.spec.nics)
                let key = InstanceKey(project: record.project, name: record.spec.name)
                let supervisor = InstanceSupervisor(
                    key: key, record: record, revision: item.modRevision, storedRecord: item.value, env: env, storage: storage,
                    networks: networks)
                supervisors[key.project, default: [:]][key.name] = supervisor
                if access(env.paths(for: key).recoveryFile, F_OK) != 0 { await supervisor.mirrorRecordSoon() }
                await projects.adopt(.instance(record.spec), in: key.project)
                for volume in record.spec.disks.compactMap(\.volume) {
                    do {
                        try await storage.attach(volume, project: key.project, instance: key.name)
                    } catch {
                        env.logger.error("instance \(key) names volume \(volume), which cannot be attached: \(error)")
                    }
                }
                if let cdrom = record.spec.cdrom { await storage.useImage(cdrom, by: key) }
                await rejoinNetworks(record.spec.nics, as: key)
                await networks.noteNICs(Self.firewallNICs(of: record.spec.nics), of: key)
            } catch {
                env.logger.error("skipping unreadable record \(item.key): \(error)")
            }
        }
        await assignMissingAddresses()
        // Every dnsmasq starts (or re-reads its files) once, with the reservations of every NIC.
        let names = Self.networkNames(of: networkNICs.values.flatMap { $0 })
        await networks.startDNSMasq(reservations: Dictionary(uniqueKeysWithValues: names.map { ($0, reservations(on: $0)) }))
        await networks.pruneForwards(addresses: nicAddresses())
        await networks.applyRulesetAfterLoad()
        interruptedBackups = await withTaskGroup(of: (InstanceKey, BackupInProgress?).self) { group in
            for supervisor in supervisors.values.flatMap(\.values) {
                group.addTask {
                    await supervisor.reattach()
                    // Before the snapshots are reconciled: it deletes a snapshot taken with the backup.
                    let interrupted = await supervisor.recoverInterruptedBackup()
                    await supervisor.reconcileSnapshots()
                    return (supervisor.key, interrupted)
                }
            }
            var found: [(key: InstanceKey, note: BackupInProgress)] = []
            for await (key, note) in group { if let note { found.append((key, note)) } }
            return found
        }
    }

    /// Validates and stores a new instance (stopped) within its project's limits. Nothing is created
    /// when validation or the quota refuses it. `owning` are volumes made for it, deleted with it.
    public func create(_ request: InstanceCreate, in project: String, owning: [VolumeReference] = []) async throws -> Instance {
        try await create(spec: try Self.spec(from: request), in: project, owning: owning)
    }

    /// `create` from a spec already built (a request's, or a restored backup's copy of another instance's).
    func create(spec: InstanceSpec, in project: String, owning: [VolumeReference]) async throws -> Instance {
        var spec = spec
        try spec.validate(host: env.host, fileExists: { FileManager.default.fileExists(atPath: $0) })
        let key = InstanceKey(project: project, name: spec.name)
        let paths = env.paths(for: key)
        guard paths.socketPathsFit else {
            throw JoistError.invalidArgument(
                "instance name '\(spec.name)' is too long for the state directory \(env.stateDirectory) (Unix socket paths are limited to \(RuntimePaths.maxSocketPathLength) bytes)")
        }
        guard supervisors[project]?[spec.name] == nil, !pending.contains(key) else { throw Self.exists(key) }
        pending.insert(key)
        defer { pending.remove(key) }
        let volumes = try await claimVolumes(of: spec, for: key)
        var undo = Reverter(logger: env.logger)
        undo.add("release the volumes of instance \(key)") { await self.releaseVolumes(volumes, of: key) }
        let delta = ResourceDelta.instance(spec)
        let projects = self.projects
        let record: InstanceRecord
        let revision: Int64
        let stored: Data
        do {
            spec = try await joinNetworks(spec, as: key)
            let nics = spec.nics
            undo.add("leave the networks of instance \(key)") { await self.leaveNetworks(nics, of: key) }
            try await projects.reserve(delta, in: project)
            undo.add("release the quota of instance \(key)") { await projects.release(delta, in: project) }
            try await updateReservations(on: Self.networkNames(of: spec.nics))
            record = InstanceRecord(spec: spec, project: project, createdAt: Date(), ownedVolumes: owning.isEmpty ? nil : owning)
            stored = try APICoding.encoder().encode(record)
            revision = try await env.store.put(InstanceRecord.key(spec.name, project: project), stored, expect: .absent)
        } catch {
            await undo.revert()
            if case StoreError.conflict = error { throw Self.exists(key) }
            throw error
        }
        let supervisor = InstanceSupervisor(
            key: key, record: record, revision: revision, storedRecord: stored, env: env, storage: storage, networks: networks)
        supervisors[project, default: [:]][spec.name] = supervisor
        await supervisor.mirrorRecordSoon()
        env.logger.info("created instance \(key)")
        env.events.publish(.lifecycle(
            LifecycleEvent(action: "instance-created", source: "/1.0/instances/\(spec.name)", name: spec.name, state: "stopped"),
            project: project))
        return await supervisor.snapshot()
    }

    public func supervisor(_ name: String, in project: String) throws -> InstanceSupervisor {
        guard let supervisor = supervisors[project]?[name] else {
            throw JoistError.notFound("instance \(name) not found" + (project == Project.defaultName ? "" : " in project \(project)"))
        }
        return supervisor
    }

    /// One page of a project's instances, sorted by name, starting after `after`.
    public func list(in project: String, after: String? = nil, limit: Int = Page<Instance>.defaultLimit) async -> Page<Instance> {
        let (supervisors, next) = page(in: project, after: after, limit: limit)
        var items: [Instance] = []
        items.reserveCapacity(supervisors.count)
        for supervisor in supervisors { items.append(await supervisor.snapshot()) }
        return Page(items: items, next: next)
    }

    /// One page of a project's instances, sorted by name, starting after `after`, as the JSON of its
    /// `Page`: built from each instance's cached encoding (see `encodedSnapshot`), so a listing costs
    /// little more than copying bytes.
    public func listJSON(in project: String, after: String? = nil, limit: Int = Page<Instance>.defaultLimit) async throws -> Data {
        let (supervisors, next) = page(in: project, after: after, limit: limit)
        var items: [Data] = []
        items.reserveCapacity(supervisors.count)
        for supervisor in supervisors { items.append(try await supervisor.encodedSnapshot()) }
        return EncodedPage.join(items: items, next: next)
    }

    private func page(in project: String, after: String?, limit: Int) -> (supervisors: [InstanceSupervisor], next: String?) {
        let all = supervisors[project] ?? [:]
        let names = all.keys.filter { after == nil || $0 > after! }.sorted()
        let chosen = names.prefix(limit)
        return (chosen.map { all[$0]! }, names.count > limit ? chosen.last : nil)
    }

    /// Applies `key=value` settings to a stopped instance, within its project's limits.
    /// `ifMatch` is the ETag the caller read; a stale one is refused with `preconditionFailed`.
    /// A `cdrom` setting names an ISO image, which `images` resolves and holds while the drive has it.
    public func updateConfig(
        _ name: String, in project: String, settings: [(key: String, value: String)], ifMatch: String?,
        images: ImageManager? = nil
    ) async throws -> Instance {
        let supervisor = try supervisor(name, in: project)
        // The images this change may put into or take out of the drive; afterwards, whatever happened,
        // those the drive does not hold are released.
        var touched = Set([await supervisor.snapshot().config.cdrom].compactMap { $0 })
        var settings = settings
        let projects = self.projects
        do {
            for index in settings.indices where settings[index].key == "cdrom" && !settings[index].value.isEmpty {
                guard let images else { throw JoistError.invalidArgument("cdrom cannot be set here: no image store") }
                settings[index].value = try await images.insertCDROM(settings[index].value, into: supervisor.key)
                touched.insert(settings[index].value)
            }
            try await supervisor.updateConfig(settings, ifMatch: ifMatch) { old, new in
                let delta = ResourceDelta.instance(new) + -ResourceDelta.instance(old)
                guard !delta.isZero else { return {} }
                try await projects.reserve(delta, in: project)
                return { await projects.release(delta, in: project) }
            }
        } catch {
            await releaseImages(touched, notHeldBy: supervisor)
            throw error
        }
        await releaseImages(touched, notHeldBy: supervisor)
        return await supervisor.snapshot()
    }

    /// Releases the images among `fingerprints` that the instance's CD-ROM drive does not hold.
    private func releaseImages(_ fingerprints: Set<String>, notHeldBy supervisor: InstanceSupervisor) async {
        let held = await supervisor.snapshot().config.cdrom
        for fingerprint in fingerprints where fingerprint != held {
            await storage.releaseImage(fingerprint, by: supervisor.key)
        }
    }

    /// Deletes an instance and its runtime files; a running one only with `force` (it is stopped first).
    public func delete(_ name: String, in project: String, force: Bool) async throws {
        let supervisor = try supervisor(name, in: project)
        let record = try await supervisor.prepareForDeletion(force: force)
        await removeSnapshots(of: record, key: supervisor.key)
        let spec = record.spec
        try await env.store.delete(InstanceRecord.key(name, project: project), expect: .any)
        supervisors[project]?.removeValue(forKey: name)
        await projects.release(.instance(spec), in: project)
        await releaseVolumes(spec.disks.compactMap(\.volume), of: supervisor.key)
        if let cdrom = spec.cdrom { await storage.releaseImage(cdrom, by: supervisor.key) }
        await networks.removeFirewall(of: supervisor.key)
        await leaveNetworks(spec.nics, of: supervisor.key)
        await networks.removeForwards(to: supervisor.key)
        await removeTaps(of: spec.nics, of: supervisor.key)
        let paths = env.paths(for: supervisor.key)
        unlink(paths.recoveryFile)
        try? FileManager.default.removeItem(atPath: paths.directory)
        env.logger.info("deleted instance \(supervisor.key)")
        await deleteOwnedVolumes(of: record, key: supervisor.key)
        env.events.publish(.lifecycle(
            LifecycleEvent(action: "instance-deleted", source: "/1.0/instances/\(name)", name: name), project: project))
    }

    /// Deletes the volumes made for a deleted instance that were still its disks. The instance is gone
    /// whatever happens here: a volume that cannot be deleted (a linked clone reads it) stays, logged.
    private func deleteOwnedVolumes(of record: InstanceRecord, key: InstanceKey) async {
        let disks = Set(record.spec.disks.compactMap(\.volume))
        for volume in record.ownedVolumes ?? [] where disks.contains(volume) {
            do {
                try await storage.deleteVolume(volume, project: key.project)
                env.logger.info("deleted volume \(volume), made for instance \(key)")
            } catch {
                env.logger.warning("kept volume \(volume) of deleted instance \(key): \(error)")
            }
        }
    }

    /// Records that the new instance uses each volume its disks name (refused when a volume is missing
    /// or belongs to another instance); returns them, for `releaseVolumes` if a later step fails.
    private func claimVolumes(of spec: InstanceSpec, for key: InstanceKey) async throws -> [VolumeReference] {
        var claimed: [VolumeReference] = []
        for volume in spec.disks.compactMap(\.volume) {
            do {
                try await storage.attach(volume, project: key.project, instance: key.name)
            } catch {
                await releaseVolumes(claimed, of: key)
                throw error
            }
            claimed.append(volume)
        }
        return claimed
    }

    func releaseVolumes(_ volumes: [VolumeReference], of key: InstanceKey) async {
        for volume in volumes { await storage.detach(volume, project: key.project, instance: key.name) }
    }

    /// How many instances exist in every project (for tests and benchmarks).
    public func count() -> Int { supervisors.values.reduce(0) { $0 + $1.count } }

    private static func exists(_ key: InstanceKey) -> JoistError {
        .alreadyExists("instance \(key.name) already exists" + (key.project == Project.defaultName ? "" : " in project \(key.project)"))
    }

    /// Turns a create request into a spec, parsing sizes, NICs and disks and detecting file disks' formats.
    static func spec(from request: InstanceCreate) throws -> InstanceSpec {
        try ResourceName.validate(request.name)
        var spec = InstanceSpec(name: request.name, kernel: request.kernel, initrd: request.initrd, cdrom: request.cdrom)
        if let cmdline = request.cmdline { spec.cmdline = cmdline }
        if let cpus = request.cpus { spec.cpus = cpus }
        if let memory = request.memory { spec.memory = try ByteSize(parsing: memory) }
        if let machine = request.machine { spec.machine = machine }
        if let accel = request.accel { spec.accel = accel }
        spec.display = request.display
        spec.cloudInit = request.cloudInit?.settings
        try spec.validateUserData()
        spec.nics = NICSpec.numbered(try (request.nics ?? []).map { text throws(JoistError) in try NICSpec(parsing: text) })
        spec.disks = try (request.disks ?? []).map { text throws(JoistError) in
            var disk = try DiskSpec(parsing: text)
            if let path = disk.path {
                let header = FileHandle(forReadingAtPath: path).flatMap { try? $0.read(upToCount: 4) } ?? Data()
                disk.format = DiskFormat.detect(header: header)
            }
            return disk
        }
        return spec
    }
}
