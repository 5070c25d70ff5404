import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore

/// `/1.0/projects…`: tenants with limits.
enum ProjectRoutes {
    static func register(on table: inout RouteTable) {
        let projects = table.services.projects
        let events = table.services.events
        table.add(.get, "/1.0/projects", .any(.viewer), action: "project.list") { request, _, scope in
            let page = try PageRequest(request)
            let items = await projects.list(only: scope.identity.project)
            return JSONBody.response(page.page(items, cursor: \.project.name))
        }
        table.add(.post, "/1.0/projects", .global(.admin), action: "project.create") { request, context, _ in
            let body = try await JSONBody.decode(ProjectCreate.self, allowed: ["name", "description", "limits"], nested: ["limits": Set(ProjectLimits.names)], from: request, context: context)
            context.auditNote.target = body.name
            let info = try await projects.create(body)
            events.publish(.lifecycle(.init(action: "project-created", source: "/1.0/projects/\(info.project.name)", name: info.project.name), project: info.project.name))
            return JSONBody.response(info, status: .created, etag: ETag.of(info.project))
        }
        table.add(.get, "/1.0/projects/{name}", .projectPath(.viewer), action: "project.get") { _, _, scope in
            let info = try await projects.info(scope.project)
            return JSONBody.response(info, etag: ETag.of(info.project))
        }
        table.add(.patch, "/1.0/projects/{name}", .global(.admin), action: "project.update") { request, context, _ in
            let name = try context.parameters.require("name")
            let update = try await JSONBody.decode(ProjectUpdate.self, allowed: ["description", "limits", "unset"], nested: ["limits": Set(ProjectLimits.names)], from: request, context: context)
            let ifMatch = request.headers[.ifMatch]
            let info = try await projects.update(name, update) { current in
                try ETag.check(ifMatch, current: ETag.of(current), resource: "project \(name)")
            }
            events.publish(.lifecycle(.init(action: "project-updated", source: "/1.0/projects/\(name)", name: name), project: name))
            return JSONBody.response(info, etag: ETag.of(info.project))
        }
        table.add(.delete, "/1.0/projects/{name}", .global(.admin), action: "project.delete") { _, context, _ in
            let name = try context.parameters.require("name")
            try await projects.delete(name)
            events.publish(.lifecycle(.init(action: "project-deleted", source: "/1.0/projects/\(name)", name: name), project: name))
            return Response(status: .noContent)
        }
    }
}
