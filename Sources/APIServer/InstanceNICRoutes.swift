import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore

/// `/1.0/instances/{name}/nics…`: add and remove NICs, hot-plugged when the instance runs. A NIC is
/// named `ethN` (its number, kept when others are removed) or by its MAC address.
enum InstanceNICRoutes {
    static func register(on table: inout RouteTable) {
        let manager = table.services.instances
        table.add(.post, "/1.0/instances/{name}/nics", .project(.operator), action: "instance.nic-add") { request, context, scope in
            let body = try await JSONBody.decode(InstanceNICAdd.self, allowed: ["nic"], from: request, context: context)
            let instance = try await manager.addNIC(body.nic, to: context.parameters.require("name"), in: scope.project)
            return JSONBody.response(instance, etag: ETag.of(instance.config))
        }
        table.add(.delete, "/1.0/instances/{name}/nics/{nic}", .project(.operator), action: "instance.nic-remove") { _, context, scope in
            let instance = try await manager.removeNIC(
                context.parameters.require("nic"), from: context.parameters.require("name"), in: scope.project)
            return JSONBody.response(instance, etag: ETag.of(instance.config))
        }
    }
}
