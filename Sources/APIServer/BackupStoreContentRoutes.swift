import Backup
import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore

/// `/1.0/backup-stores/{store}/backups` and `…/verify`: what a store holds for one project, every
/// instance's backups at once, including those of instances since deleted.
///
/// Both are project-scoped: a store is shared by every project, but a project sees and verifies only
/// its own backups (a global admin names the project with `?project=`, one at a time).
enum BackupStoreContentRoutes {
    static func register(on table: inout RouteTable) {
        let services = table.services
        let stores = services.backupStores
        let manager = services.instances
        table.add(.get, "/1.0/backup-stores/{store}/backups", .project(.viewer), action: "backup-store.backup-list") { _, context, scope in
            let name = try context.parameters.require("store")
            var backups = try await stores.backups(inStore: name, project: scope.project)
            var exists: [String: Bool] = [:]
            for index in backups.indices {
                let instance = backups[index].instance
                if exists[instance] == nil { exists[instance] = await manager.hasInstance(instance, in: scope.project) }
                backups[index].instanceExists = exists[instance]
            }
            return JSONBody.response(backups)
        }
        table.add(.post, "/1.0/backup-stores/{store}/verify", .project(.operator), action: "backup-store.verify") { request, context, scope in
            let name = try context.parameters.require("store")
            context.auditNote.target = name
            try await stores.requireStore(name)
            let project = scope.project
            let operation = await services.startOperation(
                for: request, scope: scope, action: "backup-store.verify", target: name,
                description: "Verifying the backups of project \(project) in backup store \(name)", resources: ["/1.0/backup-stores/\(name)"],
                mayCancel: true
            ) { operation in
                let report = try await ProgressRelay.run(to: operation, unit: "chunks") { report in
                    try await stores.verifyAll(name, project: project) { progress in
                        report(TransferProgress(stage: "checking chunks", done: progress.bytesDone, total: progress.bytesTotal))
                    }
                }
                if let failure = BackupStoreVerifyOutcome.failure(report, store: name, project: project) { throw failure }
                return [
                    "store": name, "project": project, "backups": String(report.backups), "chunksChecked": String(report.chunksChecked),
                    "bytesChecked": String(report.bytesChecked),
                ]
            }
            return accepted(operation)
        }
    }
}
