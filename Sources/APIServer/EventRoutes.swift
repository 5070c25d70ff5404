import Activity
import Daemon
import Foundation
import Hummingbird
import HummingbirdWebSocket
import JoistAPI
import JoistCore
import NIOCore

/// `GET /1.0/events`: a WebSocket of JSON text frames, one `Event` each.
///
/// `?type=lifecycle,operation,audit` picks kinds (audit needs admin); `?project=NAME` narrows to one
/// project. Callers bound to a project only ever see their project.
enum EventRoutes {
    static func register(on table: inout RouteTable) {
        let services = table.services
        table.webSocket("/1.0/events", .any(.viewer), action: "events.watch") { request, _, scope in
            _ = try filter(request, scope)
            if let project = request.uri.queryParameters.get("project") {
                _ = try await services.projects.require(String(project))
            }
        } session: { inbound, outbound, context, scope in
            let filter = try filter(context.request, scope)
            let subscription = services.events.subscribe(filter)
            defer { services.events.unsubscribe(subscription.id) }
            let encoder = APICoding.encoder()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await event in subscription.events {
                        let data = try encoder.encode(event)
                        try await outbound.write(.text(String(decoding: data, as: UTF8.self)))
                    }
                }
                group.addTask {
                    // Nothing is expected from the client; reading notices when it goes away.
                    for try await _ in inbound {}
                }
                _ = try await group.next()
                group.cancelAll()
            }
        }
    }

    static func filter(_ request: Request, _ scope: RequestScope) throws -> EventFilter {
        let types = Set(try Query.list(request, "type", of: Event.Kind.self, allowed: Event.Kind.allCases) ?? Event.Kind.allCases)
        let identity = scope.identity
        if types.contains(.audit) && identity.role < .admin {
            if request.uri.queryParameters.get("type") != nil {
                throw JoistError.forbidden("\(identity.name) has role \(identity.role.rawValue); audit events need admin")
            }
        }
        let allowed = identity.role >= .admin ? types : types.subtracting([.audit])
        var projects: Set<String>?
        if let own = identity.project {
            projects = [own]
        } else if let project = request.uri.queryParameters.get("project") {
            try ResourceName.validate(String(project), kind: "project")
            projects = [String(project)]
        }
        if let own = identity.project, let asked = request.uri.queryParameters.get("project"), asked != own {
            throw JoistError.forbidden("\(identity.name) is limited to project \(own)")
        }
        return EventFilter(types: allowed, projects: projects)
    }
}
