import Foundation
import GRDB
import JoistAPI
import JoistCore

extension AuditLog {
    static let insertSQL = """
        INSERT INTO audit (at, actor, role, project, action, target, method, path, status, outcome, error)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static func arguments(_ entry: AuditEntry) -> StatementArguments {
        [
            entry.at.timeIntervalSince1970, entry.actor, entry.role, entry.project, entry.action, entry.target,
            entry.method, entry.path, entry.status, entry.outcome.rawValue, entry.error,
        ]
    }

    /// The entry stored in `row`.
    static func entry(_ row: Row) throws -> AuditEntry {
        let id: Int64 = row["id"]
        let outcome: String = row["outcome"]
        guard let known = AuditEntry.Outcome(rawValue: outcome) else {
            throw JoistError(.internalError, "audit entry \(id) has an unknown outcome \(outcome)")
        }
        return AuditEntry(
            id: id, at: Date(timeIntervalSince1970: row["at"]), actor: row["actor"], role: row["role"],
            project: row["project"], action: row["action"], target: row["target"], method: row["method"],
            path: row["path"], status: row["status"], outcome: known, error: row["error"])
    }
}

extension AuditQuery {
    /// The SELECT for this query. Each filter is an equality on an indexed column followed by `id`,
    /// so SQLite walks one index in id order.
    var statement: (sql: String, arguments: StatementArguments) {
        var conditions: [String] = []
        var arguments = StatementArguments()
        func match(_ condition: String, _ value: (any DatabaseValueConvertible)?) {
            guard let value else { return }
            conditions.append(condition)
            arguments += [value]
        }
        match("project = ?", project)
        match("actor = ?", actor)
        match("action = ?", action)
        match("outcome = ?", outcome?.rawValue)
        match("at >= ?", since?.timeIntervalSince1970)
        match("at < ?", until?.timeIntervalSince1970)
        match("id > ?", after)
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        arguments += [max(limit, 0)]
        return ("SELECT * FROM audit\(filter) ORDER BY id LIMIT ?", arguments)
    }
}
