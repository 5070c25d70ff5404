import Foundation

/// Queries the point-in-time export for backups relies on.
extension QMPClient {
    /// The named dirty bitmaps of every named node, by node name (QEMU's own unnamed bitmaps, such as
    /// a backup job's, are left out). Maps to QMP `query-named-block-nodes`.
    public func queryDirtyBitmaps() async throws -> [String: [QMPDirtyBitmap]] {
        let result = try await execute("query-named-block-nodes", arguments: ["flat": true])
        guard let nodes = result.arrayValue else { throw QMPError.protocolViolation("query-named-block-nodes returned \(result)") }
        var bitmaps: [String: [QMPDirtyBitmap]] = [:]
        for node in nodes {
            guard let name = node["node-name"]?.stringValue else { continue }
            let named = (node["dirty-bitmaps"]?.arrayValue ?? []).filter { $0["name"]?.stringValue != nil }
            do {
                bitmaps[name] = try JSONDecoder().decode([QMPDirtyBitmap].self, from: JSONEncoder().encode(JSONValue.array(named)))
            } catch {
                throw QMPError.protocolViolation("dirty-bitmaps of node \(name): \(named)")
            }
        }
        return bitmaps
    }

    /// The block jobs, as (id, status) pairs ("running", "concluded", …). Maps to QMP `query-block-jobs`.
    public func queryBlockJobs() async throws -> [(id: String, status: String)] {
        let result = try await execute("query-block-jobs")
        return (result.arrayValue ?? []).compactMap { job in
            job["device"]?.stringValue.map { ($0, job["status"]?.stringValue ?? "") }
        }
    }

    /// The ids of the block exports. Maps to QMP `query-block-exports`.
    public func queryBlockExports() async throws -> [String] {
        let result = try await execute("query-block-exports")
        return (result.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
    }
}

/// I/O counters for metrics.
extension QMPClient {
    /// Bytes read and written by each guest drive since QEMU started, by the drive's device id
    /// (`qdev`, else `device`). Maps to QMP `query-blockstats`.
    public func queryBlockStats() async throws -> [String: (read: UInt64, written: UInt64)] {
        let result = try await execute("query-blockstats")
        guard let entries = result.arrayValue else { throw QMPError.protocolViolation("query-blockstats returned \(result)") }
        var stats: [String: (read: UInt64, written: UInt64)] = [:]
        for (index, entry) in entries.enumerated() {
            let id = entry["qdev"]?.stringValue ?? entry["device"]?.stringValue ?? "#\(index)"
            let read = entry["stats"]?["rd_bytes"]?.doubleValue ?? 0
            let written = entry["stats"]?["wr_bytes"]?.doubleValue ?? 0
            stats[id] = (UInt64(max(0, read)), UInt64(max(0, written)))
        }
        return stats
    }
}
