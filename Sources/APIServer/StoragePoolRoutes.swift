import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore

/// `/1.0/storage-pools…`: where volumes live. Pools are global: anyone may look (seeing only the
/// volumes of their own project), only a global admin may create or delete one, and only the local
/// administrator on the Unix socket may create one, since a pool names a folder on the host.
///
/// The pool is `{pool}` here as under `…/{pool}/volumes`: the router wants one parameter name per
/// position, so the audit target is noted by hand.
enum StoragePoolRoutes {
    static func register(on table: inout RouteTable) {
        let storage = table.services.storage
        table.add(.get, "/1.0/storage-pools", .any(.viewer), action: "storage-pool.list") { request, _, scope in
            let page = try PageRequest(request)
            let pools = await storage.listPools(visibleTo: scope.identity.project)
            return JSONBody.response(page.page(pools, cursor: \.pool.name))
        }
        table.add(.post, "/1.0/storage-pools", .global(.admin), action: "storage-pool.create") { request, context, scope in
            let body = try await JSONBody.decode(StoragePoolCreate.self, allowed: StoragePoolCreate.fields, from: request, context: context)
            context.auditNote.target = body.name
            try scope.requireHostFileAccess(
                [body.path], to: "create storage pool \(body.name)", instead: "pools are folders the local administrator chooses")
            let info = try await storage.createPool(body)
            return JSONBody.response(info, status: .created)
        }
        table.add(.get, "/1.0/storage-pools/{pool}", .any(.viewer), action: "storage-pool.get") { _, context, scope in
            let info = try await storage.poolInfo(context.parameters.require("pool"), visibleTo: scope.identity.project)
            return JSONBody.response(info)
        }
        table.add(.delete, "/1.0/storage-pools/{pool}", .global(.admin), action: "storage-pool.delete") { _, context, _ in
            let name = try context.parameters.require("pool")
            context.auditNote.target = name
            try await storage.deletePool(name)
            return Response(status: .noContent)
        }
    }
}

extension StoragePoolCreate {
    /// The JSON fields a create request may carry.
    static let fields: Set<String> = ["name", "driver", "path", "description", "overcommit"]
}
