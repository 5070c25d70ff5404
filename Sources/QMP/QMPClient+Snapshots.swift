/// Typed wrappers for snapshots and the jobs that take and load them.
extension QMPClient {
    /// Runs `actions` (each `{"type": …, "data": …}`) atomically: all of them or none. Maps to QMP
    /// `transaction`.
    public func transaction(_ actions: [JSONValue]) async throws {
        _ = try await execute("transaction", arguments: ["actions": .array(actions)])
    }

    /// Starts a job saving RAM and device state into node `vmstate` and snapshotting every node of
    /// `devices` under `tag`. The guest is stopped while it runs and resumed after, if it was running.
    /// Maps to QMP `snapshot-save`.
    public func snapshotSave(jobID: String, tag: String, vmstate: String, devices: [String]) async throws {
        _ = try await execute("snapshot-save", arguments: Self.snapshotJobArguments(jobID, tag, vmstate: vmstate, devices: devices))
    }

    /// Starts a job loading snapshot `tag` (state from node `vmstate`, disks `devices`). Maps to QMP
    /// `snapshot-load`.
    public func snapshotLoad(jobID: String, tag: String, vmstate: String, devices: [String]) async throws {
        _ = try await execute("snapshot-load", arguments: Self.snapshotJobArguments(jobID, tag, vmstate: vmstate, devices: devices))
    }

    /// Deletes the internal snapshot `name` of node `device`, while the guest runs. Maps to QMP
    /// `blockdev-snapshot-delete-internal-sync`.
    public func blockdevSnapshotDeleteInternal(device: String, name: String) async throws {
        _ = try await execute("blockdev-snapshot-delete-internal-sync", arguments: ["device": .string(device), "name": .string(name)])
    }

    /// Every job QEMU knows of. Maps to QMP `query-jobs`.
    public func queryJobs() async throws -> [QMPJob] {
        let result = try await execute("query-jobs")
        guard let items = result.arrayValue else { throw QMPError.protocolViolation("query-jobs returned \(result)") }
        return items.compactMap(QMPJob.init)
    }

    /// Forgets a concluded job. Maps to QMP `job-dismiss`.
    public func jobDismiss(id: String) async throws {
        _ = try await execute("job-dismiss", arguments: ["id": .string(id)])
    }

    static func snapshotJobArguments(_ jobID: String, _ tag: String, vmstate: String, devices: [String]) -> [String: JSONValue] {
        ["job-id": .string(jobID), "tag": .string(tag), "vmstate": .string(vmstate), "devices": .array(devices.map { .string($0) })]
    }
}
