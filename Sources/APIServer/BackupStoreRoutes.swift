import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore

/// `/1.0/backup-stores…`: where backups live. Stores are global: anyone may look (a project picks the
/// store its backups go to), only a global admin may create, delete or gc one, and only the local
/// administrator on the Unix socket may create one, since a store names a folder on the host.
enum BackupStoreRoutes {
    static func register(on table: inout RouteTable) {
        let services = table.services
        let stores = services.backupStores
        table.add(.get, "/1.0/backup-stores", .any(.viewer), action: "backup-store.list") { request, _, _ in
            let page = try PageRequest(request)
            return JSONBody.response(page.page(await stores.list(), cursor: \.store.name))
        }
        table.add(.post, "/1.0/backup-stores", .global(.admin), action: "backup-store.create") { request, context, scope in
            let body = try await JSONBody.decode(BackupStoreCreate.self, allowed: BackupStoreCreate.fields, from: request, context: context)
            context.auditNote.target = body.name
            try scope.requireHostFileAccess(
                [body.path], to: "create backup store \(body.name)", instead: "backup stores are folders the local administrator chooses")
            return JSONBody.response(try await stores.create(body), status: .created)
        }
        table.add(.get, "/1.0/backup-stores/{store}", .any(.viewer), action: "backup-store.get") { _, context, _ in
            JSONBody.response(try await stores.info(context.parameters.require("store")))
        }
        table.add(.delete, "/1.0/backup-stores/{store}", .global(.admin), action: "backup-store.delete") { _, context, _ in
            let name = try context.parameters.require("store")
            context.auditNote.target = name
            try await stores.delete(name)
            return Response(status: .noContent)
        }
        table.add(.post, "/1.0/backup-stores/{store}/gc", .global(.admin), action: "backup-store.gc") { request, context, scope in
            let name = try context.parameters.require("store")
            context.auditNote.target = name
            try await stores.requireStore(name)
            let operation = await services.startOperation(
                for: request, scope: scope, action: "backup-store.gc", target: name,
                description: "Removing chunks no backup needs from backup store \(name)", resources: ["/1.0/backup-stores/\(name)"]
            ) { _ in
                let report = try await stores.gc(name)
                return [
                    "backups": String(report.backups), "chunksKept": String(report.chunksKept), "chunksRemoved": String(report.chunksRemoved),
                    "bytesFreed": String(report.bytesFreed), "temporariesRemoved": String(report.temporariesRemoved),
                ]
            }
            return accepted(operation)
        }
    }
}

extension BackupStoreCreate {
    /// The JSON fields a create request may carry.
    static let fields: Set<String> = ["name", "path", "description"]
}
