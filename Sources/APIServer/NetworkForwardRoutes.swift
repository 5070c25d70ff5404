import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore
import Networking

/// `/1.0/networks/{network}/forwards…`: host ports forwarded to instances on a `nat` network.
///
/// Networks are global, but a forward's target is an instance of a project, so forwards are
/// project-scoped: a caller sees, adds and removes the forwards to instances of the request's project
/// (`?project=`, or the token's own), with the role that changing those instances needs. A forward
/// is named by what it listens on, `PROTO-ADDRESS-PORT` (`tcp-0.0.0.0-8080`).
enum NetworkForwardRoutes {
    static func register(on table: inout RouteTable) {
        let networks = table.services.networks
        let instances = table.services.instances
        table.add(.get, "/1.0/networks/{network}/forwards", .project(.viewer), action: "network.forward-list") { request, context, scope in
            let page = try PageRequest(request)
            let name = try context.parameters.require("network")
            let list = try await networks.forwards(on: name, in: scope.project).map { NetworkForwardInfo($0, network: name) }
                .sorted { $0.id < $1.id }
            return JSONBody.response(page.page(list, cursor: \.id))
        }
        table.add(.post, "/1.0/networks/{network}/forwards", .project(.operator), action: "network.forward-create") { request, context, scope in
            let body = try await JSONBody.decode(NetworkForwardCreate.self, allowed: NetworkForwardCreate.fields, from: request, context: context)
            let name = try context.parameters.require("network")
            let forward = try await instances.addForward(body, on: name, in: scope.project)
            context.auditNote.target = "\(name)/\(forward.id)"
            return JSONBody.response(NetworkForwardInfo(forward, network: name), status: .created)
        }
        table.add(.delete, "/1.0/networks/{network}/forwards/{id}", .project(.operator), action: "network.forward-delete") { _, context, scope in
            let name = try context.parameters.require("network")
            let text = try context.parameters.require("id")
            context.auditNote.target = "\(name)/\(text)"
            try await networks.removeForward(try NetworkForward.ID(parsing: text), on: name, in: scope.project)
            return Response(status: .noContent)
        }
    }
}

extension NetworkForwardCreate {
    /// The JSON fields a create request may carry.
    static let fields: Set<String> = ["proto", "listenAddress", "listenPort", "instance", "targetPort"]
}
