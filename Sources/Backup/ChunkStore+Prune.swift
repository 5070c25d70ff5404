public import Foundation
import JoistCore

extension ChunkStore {
    /// The ids of `instance`'s backups, oldest first, from the manifests' file names alone: no
    /// manifest is read, so this stays cheap however large the disks are.
    public func backupIDs(project: String, instance: String) throws -> [BackupID] {
        try ResourceName.validate(project, kind: "project")
        try ResourceName.validate(instance, kind: "instance")
        let folder = layout.instanceFolder(project: project, instance: instance)
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch CocoaError.fileReadNoSuchFile {
            return []
        }
        return files.compactMap { file in
            guard file.hasSuffix(".json") else { return nil }
            return try? BackupID(String(file.dropLast(5)))
        }.sorted()
    }

    /// Deletes the manifests of `instance`'s backups that `policy` does not keep (all of them when
    /// `dryRun` is false), oldest first, and says which were kept by which rule. Chunks stay: `gc`
    /// removes those no remaining manifest names. Each manifest lists every chunk of every disk, so
    /// the backups left restore on their own whichever are removed.
    ///
    /// A policy with no rule is refused: prune removes whatever no rule keeps. Manifests that cannot
    /// be read are never removed.
    public func prune(project: String, instance: String, policy: RetentionPolicy, calendar: Calendar, dryRun: Bool) throws -> PruneOutcome {
        try policy.validate()
        guard !policy.isEmpty else {
            throw JoistError.invalidArgument(
                "prune needs at least one keep rule (keep-last, keep-hourly, keep-daily, keep-weekly, keep-monthly or keep-yearly): it removes every backup no rule keeps")
        }
        let manifests = try manifests(project: project, instance: instance).manifests
        let dates = Dictionary(manifests.map { ($0.id, $0.createdAt) }, uniquingKeysWith: { first, _ in first })
        let decision = policy.apply(to: manifests.map { (id: $0.id, date: $0.createdAt) }, calendar: calendar)
        var outcome = PruneOutcome(
            kept: decision.keep.map { PruneOutcome.Entry(id: $0.id, createdAt: dates[$0.id] ?? .distantPast, reasons: $0.reasons) },
            removed: decision.remove.map { PruneOutcome.Entry(id: $0, createdAt: dates[$0] ?? .distantPast, reasons: []) })
        outcome.removed.sort { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        guard !dryRun else { return outcome }
        for (index, backup) in outcome.removed.enumerated() {
            do {
                try deleteManifest(project: project, instance: instance, id: backup.id)
            } catch {
                let done = outcome.removed.prefix(index).map(\.id.value)
                throw JoistError.invalidState(
                    "prune of instance \(instance) stopped at backup \(backup.id): \(error)"
                        + (done.isEmpty ? "" : "; already removed: \(done.joined(separator: ", "))"))
            }
        }
        return outcome
    }
}

/// What a prune kept, newest first, with the rules that kept each, and what it removed (or, in a dry
/// run, would remove), oldest first.
public struct PruneOutcome: Sendable, Equatable {
    public var kept: [Entry]
    public var removed: [Entry]

    public struct Entry: Sendable, Equatable {
        public var id: BackupID
        public var createdAt: Date
        /// The rules that keep it; empty for a removed backup.
        public var reasons: [RetentionRule]
    }
}
