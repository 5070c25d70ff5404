import Activity
import Backup
import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore

/// `/1.0/instances/{name}/backups…`: back an instance up into a backup store, list its backups (in
/// every store), look at one, and verify one. Backups and verifies are cancellable operations with
/// progress in bytes (verify: in chunks).
enum InstanceBackupRoutes {
    static func register(on table: inout RouteTable) {
        let services = table.services
        let manager = services.instances
        let stores = services.backupStores
        table.add(.get, "/1.0/instances/{name}/backups", .project(.viewer), action: "instance.backup-list") { _, context, scope in
            let name = try context.parameters.require("name")
            _ = try await manager.supervisor(name, in: scope.project)
            return JSONBody.response(await stores.backups(of: name, in: scope.project))
        }
        table.add(.post, "/1.0/instances/{name}/backups", .project(.operator), action: "instance.backup-create") { request, context, scope in
            let name = try context.parameters.require("name")
            let body = try await JSONBody.decode(InstanceBackupCreate.self, allowed: ["store", "snapshot"], from: request, context: context)
            if let snapshot = body.snapshot { try ResourceName.validate(snapshot, kind: "snapshot") }
            let store = body.store ?? BackupStore.defaultName
            try await stores.requireStore(store)
            context.auditNote.target = name
            let supervisor = try await manager.supervisor(name, in: scope.project)
            let operation = await services.startOperation(
                for: request, scope: scope, action: "instance.backup-create", target: name,
                description: "Backing up instance \(name) into backup store \(store)",
                resources: ["/1.0/instances/\(name)", "/1.0/backup-stores/\(store)"], mayCancel: true
            ) { operation in
                let manifest = try await ProgressRelay.run(to: operation) { report in
                    try await stores.withStore(store) { chunks in
                        let request = BackupRequest(snapshot: body.snapshot, operation: await services.operations.get(operation.operationID))
                        return try await supervisor.backup(into: chunks, request: request) { progress in
                            report(TransferProgress(stage: "reading disk \(progress.disk)", done: progress.bytesDone, total: progress.bytesTotal))
                        }
                    }
                }
                var result = [
                    "instance": name, "backup": manifest.id.value, "store": store, "kind": manifest.kind.rawValue,
                    "bytesRead": String(manifest.stats.bytesRead), "bytesStored": String(manifest.stats.bytesStored),
                ]
                if let snapshot = body.snapshot { result["snapshot"] = snapshot }
                return result
            }
            return accepted(operation)
        }
        table.add(.get, "/1.0/instances/{name}/backups/{backup}", .project(.viewer), action: "instance.backup-get") { _, context, scope in
            let (name, id) = try await target(context, scope, manager)
            let store = try await stores.storeHolding(id, of: name, in: scope.project)
            let manifest = try await stores.withStore(store) { chunks in try chunks.manifest(project: scope.project, instance: name, id: id) }
            return JSONBody.response(InstanceBackup(manifest, store: store))
        }
        table.add(.post, "/1.0/instances/{name}/backups/{backup}/restore", .project(.operator), action: "instance.backup-restore") {
            request, context, scope in
            let (name, id) = try await target(context, scope, manager)
            let body = try await JSONBody.decode(InstanceBackupRestore.self, allowed: ["as"], from: request, context: context)
            let newName = try ResourceName.validate(body.as)
            context.auditNote.target = "\(name)/\(id)"
            let store = try await stores.storeHolding(id, of: name, in: scope.project)
            let operation = await services.startOperation(
                for: request, scope: scope, action: "instance.backup-restore", target: "\(name)/\(id)",
                description: "Restoring backup \(id) of instance \(name) as instance \(newName)",
                resources: ["/1.0/instances/\(name)/backups/\(id)", "/1.0/instances/\(newName)"], mayCancel: true
            ) { operation in
                let instance = try await ProgressRelay.run(to: operation) { report in
                    try await stores.withStore(store) { chunks in
                        let manifest = try chunks.manifest(project: scope.project, instance: name, id: id)
                        return try await manager.restoreBackup(manifest, from: chunks, of: name, as: newName, in: scope.project) { progress in
                            report(TransferProgress(stage: "restoring disk \(progress.disk)", done: progress.bytesDone, total: progress.bytesTotal))
                        }
                    }
                }
                return ["instance": instance.name, "backup": id.value, "store": store]
            }
            return accepted(operation)
        }
        table.add(.post, "/1.0/instances/{name}/backups/{backup}/verify", .project(.operator), action: "instance.backup-verify") {
            request, context, scope in
            let (name, id) = try await target(context, scope, manager)
            context.auditNote.target = "\(name)/\(id)"
            let store = try await stores.storeHolding(id, of: name, in: scope.project)
            let operation = await services.startOperation(
                for: request, scope: scope, action: "instance.backup-verify", target: "\(name)/\(id)",
                description: "Verifying backup \(id) of instance \(name)", resources: ["/1.0/instances/\(name)/backups/\(id)"],
                mayCancel: true
            ) { operation in
                let report = try await ProgressRelay.run(to: operation) { report in
                    try await stores.withStore(store) { chunks in
                        let manifest = try chunks.manifest(project: scope.project, instance: name, id: id)
                        return try await BackupVerifier(store: chunks).verify([manifest]) { progress in
                            report(TransferProgress(stage: "checking chunks", done: progress.bytesDone, total: progress.bytesTotal))
                        }
                    }
                }
                guard report.isClean else {
                    let problems = report.problems.map { "\($0.error)" }.joined(separator: "; ")
                    throw JoistError.invalidState(
                        "backup \(id) of instance \(name) is damaged: \(report.problems.count) chunk(s) missing or corrupt: \(problems)")
                }
                return [
                    "instance": name, "backup": id.value, "store": store, "chunksChecked": String(report.chunksChecked),
                    "bytesChecked": String(report.bytesChecked),
                ]
            }
            return accepted(operation)
        }
    }

    /// The instance (which must exist) and the backup id (validated).
    private static func target(_ context: JoistRequestContext, _ scope: RequestScope, _ manager: InstanceManager) async throws -> (String, BackupID) {
        let name = try context.parameters.require("name")
        let id = try BackupID(try context.parameters.require("backup"))
        _ = try await manager.supervisor(name, in: scope.project)
        return (name, id)
    }
}
