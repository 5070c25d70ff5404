import Backup
public import JoistCore

/// How a store-wide verify ends, in words: pure, so the listing of damaged backups is tested as text.
public enum BackupStoreVerifyOutcome {
    /// The error a verify that found damage fails with: every damaged backup as `INSTANCE/ID`, and the
    /// manifests that could not be read; nil when the store's backups of the project are intact.
    public static func failure(_ report: VerifyReport, store: String, project: String) -> JoistError? {
        guard !report.isClean else { return nil }
        var parts: [String] = []
        if !report.damaged.isEmpty {
            let listed = report.damaged.map { "\($0.instance)/\($0.id) (\($0.badChunks) chunk(s) missing or corrupt)" }
            parts.append("\(report.damaged.count) of \(report.backups) backup(s) damaged: " + listed.joined(separator: ", "))
        }
        if !report.unreadableManifests.isEmpty {
            parts.append("\(report.unreadableManifests.count) manifest(s) unreadable: " + report.unreadableManifests.joined(separator: "; "))
        }
        return .invalidState("backup store \(store), project \(project): " + parts.joined(separator: "; "))
    }
}
