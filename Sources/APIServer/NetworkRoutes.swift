import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore
import Networking

/// `/1.0/networks…`: the virtual networks instances' NICs join. Networks are global: anyone may look
/// (seeing only their own project's instances among the users), only a global admin may create or
/// delete one, and only the local administrator on the Unix socket may create a `bridge` network,
/// since it joins guests to a host interface.
///
/// The network is `{network}` in the path, so the audit target is noted by hand.
enum NetworkRoutes {
    static func register(on table: inout RouteTable) {
        let networks = table.services.networks
        table.add(.get, "/1.0/networks", .any(.viewer), action: "network.list") { request, _, scope in
            let page = try PageRequest(request)
            let list = await networks.list(visibleTo: scope.identity.project)
            return JSONBody.response(page.page(list, cursor: \.config.name))
        }
        table.add(.post, "/1.0/networks", .global(.admin), action: "network.create") { request, context, scope in
            let body = try await JSONBody.decode(NetworkCreate.self, allowed: NetworkCreate.fields, from: request, context: context)
            context.auditNote.target = body.name
            if body.type == .bridge {
                try scope.requireHostInterfaceAccess(body.parent, to: "create bridge network \(body.name)")
            }
            let info = try await networks.create(body)
            return JSONBody.response(info, status: .created)
        }
        table.add(.get, "/1.0/networks/{network}", .any(.viewer), action: "network.get") { _, context, scope in
            let info = try await networks.info(context.parameters.require("network"), visibleTo: scope.identity.project)
            return JSONBody.response(info)
        }
        table.add(.delete, "/1.0/networks/{network}", .global(.admin), action: "network.delete") { _, context, _ in
            let name = try context.parameters.require("network")
            context.auditNote.target = name
            try await networks.delete(name)
            return Response(status: .noContent)
        }
    }
}

extension NetworkCreate {
    /// The JSON fields a create request may carry.
    static let fields: Set<String> = ["name", "type", "subnet", "parent", "vlan", "description"]
}
