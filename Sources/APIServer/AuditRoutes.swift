import Activity
import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore

/// `GET /1.0/audit`: who changed what, when, and how it ended. Admins only; an admin bound to a
/// project sees that project's entries.
enum AuditRoutes {
    static func register(on table: inout RouteTable) {
        let audit = table.services.audit
        table.add(.get, "/1.0/audit", .any(.admin), action: "audit.list") { request, _, scope in
            let page = try PageRequest(request)
            var after: Int64?
            if let text = page.after {
                guard let id = Int64(text) else { throw JoistError.invalidArgument("query parameter after must be an audit entry id, not '\(text)'") }
                after = id
            }
            let outcome = try Query.list(request, "outcome", of: AuditEntry.Outcome.self)
            guard (outcome?.count ?? 0) <= 1 else { throw JoistError.invalidArgument("query parameter outcome takes one value") }
            var project = request.uri.queryParameters.get("project").map { String($0) }
            if let project { try ResourceName.validate(project, kind: "project") }
            if let own = scope.identity.project {
                if let project, project != own { throw JoistError.forbidden("\(scope.identity.name) is limited to project \(own)") }
                project = own
            }
            let query = AuditQuery(
                project: project, actor: request.uri.queryParameters.get("actor").map { String($0) },
                action: request.uri.queryParameters.get("action").map { String($0) }, outcome: outcome?.first,
                since: try Query.date(request, "since"), until: try Query.date(request, "until"),
                after: after, limit: page.limit + 1)
            let entries = try audit.query(query)
            let items = Array(entries.prefix(page.limit))
            return JSONBody.response(Page(items: items, next: entries.count > page.limit ? items.last.map { String($0.id) } : nil))
        }
    }
}
