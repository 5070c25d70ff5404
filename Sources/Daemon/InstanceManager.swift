import Foundation
public import JoistAPI
import JoistCore
import QEMUDriver
import Store

/// The registry of instances: creates, finds, lists and deletes them, one supervisor each.
public actor InstanceManager {
    let env: DaemonEnvironment
    private var supervisors: [String: InstanceSupervisor] = [:]

    public init(env: DaemonEnvironment) {
        self.env = env
    }

    /// Loads every instance from the store and re-attaches to the QEMU processes that outlived the last daemon.
    public func load() async throws {
        let (items, _) = try await env.store.range(prefix: InstanceRecord.prefix())
        let decoder = APICoding.decoder()
        for item in items {
            do {
                let record = try decoder.decode(InstanceRecord.self, from: item.value)
                supervisors[record.spec.name] = InstanceSupervisor(record: record, revision: item.modRevision, env: env)
            } catch {
                env.logger.error("skipping unreadable record \(item.key): \(error)")
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for supervisor in supervisors.values { group.addTask { await supervisor.reattach() } }
        }
    }

    /// Validates and stores a new instance (stopped). Nothing is created when validation fails.
    public func create(_ request: InstanceCreate) async throws -> Instance {
        let spec = try Self.spec(from: request)
        try spec.validate(host: env.host, fileExists: { FileManager.default.fileExists(atPath: $0) })
        let paths = env.paths(for: spec.name)
        guard paths.socketPathsFit else {
            throw JoistError.invalidArgument(
                "instance name '\(spec.name)' is too long for the state directory \(env.stateDirectory) (Unix socket paths are limited to \(RuntimePaths.maxSocketPathLength) bytes)")
        }
        guard supervisors[spec.name] == nil else { throw Self.exists(spec.name) }
        let record = InstanceRecord(spec: spec, createdAt: Date())
        let revision: Int64
        do {
            revision = try await env.store.put(
                InstanceRecord.key(spec.name), try APICoding.encoder().encode(record), expect: .absent)
        } catch StoreError.conflict {
            throw Self.exists(spec.name)
        }
        try? FileManager.default.createDirectory(atPath: paths.directory, withIntermediateDirectories: true)
        try? RecoveryFile.write(record, to: paths.recoveryFile)
        let supervisor = InstanceSupervisor(record: record, revision: revision, env: env)
        supervisors[spec.name] = supervisor
        env.logger.info("created instance \(spec.name)")
        return await supervisor.snapshot()
    }

    public func supervisor(_ name: String) throws -> InstanceSupervisor {
        guard let supervisor = supervisors[name] else { throw JoistError.notFound("instance \(name) not found") }
        return supervisor
    }

    /// Every instance, sorted by name.
    public func list() async -> [Instance] {
        var result: [Instance] = []
        for name in supervisors.keys.sorted() {
            if let supervisor = supervisors[name] { result.append(await supervisor.snapshot()) }
        }
        return result
    }

    /// Deletes an instance and its runtime files; a running one only with `force` (it is stopped first).
    public func delete(_ name: String, force: Bool) async throws {
        let supervisor = try supervisor(name)
        try await supervisor.prepareForDeletion(force: force)
        try await env.store.delete(InstanceRecord.key(name), expect: .any)
        supervisors.removeValue(forKey: name)
        try? FileManager.default.removeItem(atPath: env.paths(for: name).directory)
        env.logger.info("deleted instance \(name)")
    }

    private static func exists(_ name: String) -> JoistError { .alreadyExists("instance \(name) already exists") }

    /// Turns a create request into a spec, parsing sizes and NICs and detecting disk formats.
    static func spec(from request: InstanceCreate) throws -> InstanceSpec {
        try ResourceName.validate(request.name)
        var spec = InstanceSpec(name: request.name, kernel: request.kernel, initrd: request.initrd)
        if let cmdline = request.cmdline { spec.cmdline = cmdline }
        if let cpus = request.cpus { spec.cpus = cpus }
        if let memory = request.memory { spec.memory = try ByteSize(parsing: memory) }
        if let machine = request.machine { spec.machine = machine }
        if let accel = request.accel { spec.accel = accel }
        spec.nics = try (request.nics ?? []).map { text throws(JoistError) in try NICSpec(parsing: text) }
        spec.disks = (request.disks ?? []).map { path in
            let header = FileHandle(forReadingAtPath: path).flatMap { try? $0.read(upToCount: 4) } ?? Data()
            return DiskSpec(path: path, format: DiskFormat.detect(header: header))
        }
        return spec
    }
}
