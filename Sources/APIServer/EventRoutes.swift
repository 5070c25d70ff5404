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

    /// The kinds and projects a caller asked for, within what it may see.
    static func filter(_ request: Request, _ scope: RequestScope) throws -> EventFilter {
        let identity = scope.identity
        let asked = try Query.list(request, "type", of: Event.Kind.self).map(Set.init)
        if asked?.contains(.audit) == true && identity.role < .admin {
            throw JoistError.forbidden("\(identity.name) has role \(identity.role.rawValue); audit events need admin")
        }
        // Without ?type=, everything the caller may see.
        let types = asked ?? Set(Event.Kind.allCases).subtracting(identity.role >= .admin ? [] : [.audit])
        let project = request.uri.queryParameters.get("project").map { String($0) }
        if let project { try ResourceName.validate(project, kind: "project") }
        if let own = identity.project, let project, project != own {
            throw JoistError.forbidden("\(identity.name) is limited to project \(own)")
        }
        return EventFilter(types: types, projects: (identity.project ?? project).map { [$0] })
    }
}
