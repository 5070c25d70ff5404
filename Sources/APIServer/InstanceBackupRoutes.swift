import Activity
import Backup
import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore

/// `/1.0/instances/{name}/backups…`: back an instance up into a backup store, list its backups (in
/// every store), look at one, restore one (as a new instance or in place), and verify one. Backups,
/// restores and verifies are cancellable operations with progress in bytes (verify: in chunks).
///
/// Backups outlive their instance: after it is deleted its backups are still listed, shown, verified
/// and restored as a new instance; these routes answer 404 only when neither the instance nor any
/// backup of that name exists in the project.
enum InstanceBackupRoutes {
    static func register(on table: inout RouteTable) {
        let services = table.services
        let manager = services.instances
        let stores = services.backupStores
        table.add(.get, "/1.0/instances/{name}/backups", .project(.viewer), action: "instance.backup-list") { _, context, scope in
            let name = try context.parameters.require("name")
            let exists = await manager.hasInstance(name, in: scope.project)
            var backups = await stores.backups(of: name, in: scope.project)
            guard exists || !backups.isEmpty else { throw noSuchInstance(name, scope.project) }
            for index in backups.indices { backups[index].instanceExists = exists }
            return JSONBody.response(backups)
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
            let (name, id) = try target(context)
            let store = try await stores.storeHolding(id, of: name, in: scope.project)
            let manifest = try await stores.withStore(store) { chunks in try chunks.manifest(project: scope.project, instance: name, id: id) }
            var backup = InstanceBackup(manifest, store: store)
            backup.instanceExists = await manager.hasInstance(name, in: scope.project)
            return JSONBody.response(backup)
        }
        table.add(.post, "/1.0/instances/{name}/backups/{backup}/restore", .project(.operator), action: "instance.backup-restore") {
            request, context, scope in
            let (name, id) = try target(context)
            let body = try await JSONBody.decode(InstanceBackupRestore.self, allowed: ["as", "inPlace", "force"], from: request, context: context)
            let restore = try BackupRestoreTarget(body, instance: name)
            context.auditNote.target = "\(name)/\(id)"
            let store = try await stores.storeHolding(id, of: name, in: scope.project)
            if restore == .inPlace { _ = try await manager.supervisor(name, in: scope.project) }
            let operation = await services.startOperation(
                for: request, scope: scope, action: "instance.backup-restore", target: "\(name)/\(id)",
                description: "Restoring backup \(id) of instance \(name) \(restore.phrase)",
                resources: ["/1.0/instances/\(name)/backups/\(id)", "/1.0/instances/\(restore.instance(name))"], mayCancel: true
            ) { operation in
                let instance = try await ProgressRelay.run(to: operation) { report in
                    try await stores.withStore(store) { chunks in
                        let manifest = try chunks.manifest(project: scope.project, instance: name, id: id)
                        let progress: @Sendable (BackupProgress) -> Void = { progress in
                            report(TransferProgress(stage: "restoring disk \(progress.disk)", done: progress.bytesDone, total: progress.bytesTotal))
                        }
                        switch restore {
                        case .as(let newName):
                            return try await manager.restoreBackup(manifest, from: chunks, of: name, as: newName, in: scope.project, progress: progress)
                                .name
                        case .inPlace:
                            try await manager.restoreBackupInPlace(
                                manifest, from: chunks, of: name, in: scope.project, force: body.force ?? false, progress: progress)
                            return name
                        }
                    }
                }
                return ["instance": instance, "backup": id.value, "store": store, "inPlace": String(restore == .inPlace)]
            }
            return accepted(operation)
        }
        table.add(.post, "/1.0/instances/{name}/backups/{backup}/verify", .project(.operator), action: "instance.backup-verify") {
            request, context, scope in
            let (name, id) = try target(context)
            context.auditNote.target = "\(name)/\(id)"
            let store = try await stores.storeHolding(id, of: name, in: scope.project)
            let operation = await services.startOperation(
                for: request, scope: scope, action: "instance.backup-verify", target: "\(name)/\(id)",
                description: "Verifying backup \(id) of instance \(name)", resources: ["/1.0/instances/\(name)/backups/\(id)"],
                mayCancel: true
            ) { operation in
                let report = try await ProgressRelay.run(to: operation, unit: "chunks") { report in
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

    /// The instance's name and the backup id (validated). The instance need not exist: looking the
    /// backup up in the stores answers 404 when neither it nor the backup does.
    private static func target(_ context: JoistRequestContext) throws -> (String, BackupID) {
        let name = try ResourceName.validate(try context.parameters.require("name"))
        let id = try BackupID(try context.parameters.require("backup"))
        return (name, id)
    }

    static func noSuchInstance(_ name: String, _ project: String) -> JoistError {
        .notFound(
            "instance \(name) not found" + (project == Project.defaultName ? "" : " in project \(project)")
                + ", and no backup store holds a backup of it")
    }
}
