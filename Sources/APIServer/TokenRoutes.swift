import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore

/// `/1.0/tokens…`: bearer tokens for the TCP listener. Global admins only.
enum TokenRoutes {
    static func register(on table: inout RouteTable) {
        let tokens = table.services.tokens
        let projects = table.services.projects
        table.add(.get, "/1.0/tokens", .global(.admin), action: "token.list") { request, _, _ in
            JSONBody.response(try PageRequest(request).page(tokens.list(), cursor: \.name))
        }
        table.add(.post, "/1.0/tokens", .global(.admin), action: "token.create") { request, context, scope in
            let body = try await JSONBody.decode(TokenCreate.self, allowed: ["name", "role", "project", "expires"], from: request, context: context)
            context.auditNote.target = body.name
            if let project = body.project {
                try ResourceName.validate(project, kind: "project")
                _ = try await projects.require(project)
            }
            let created = try await tokens.create(body, createdBy: scope.identity.name)
            return JSONBody.response(created, status: .created)
        }
        table.add(.get, "/1.0/tokens/{name}", .global(.admin), action: "token.get") { _, context, _ in
            JSONBody.response(try tokens.get(name: context.parameters.require("name")))
        }
        table.add(.delete, "/1.0/tokens/{name}", .global(.admin), action: "token.revoke") { _, context, _ in
            try await tokens.revoke(name: context.parameters.require("name"))
            return Response(status: .noContent)
        }
    }
}
