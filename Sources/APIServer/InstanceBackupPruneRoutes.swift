import Backup
import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore

/// `/1.0/instances/{name}/backups/prune`, `DELETE …/backups/{backup}` and `…/backup-schedule`: remove
/// an instance's backups (by retention rules or one by id) and back it up on a schedule. Removing a
/// backup removes its manifest only; `POST /1.0/backup-stores/{store}/gc` reclaims the chunks.
enum InstanceBackupPruneRoutes {
    static func register(on table: inout RouteTable) {
        let manager = table.services.instances
        let stores = table.services.backupStores
        table.add(.post, "/1.0/instances/{name}/backups/prune", .project(.operator), action: "instance.backup-prune") {
            request, context, scope in
            let name = try ResourceName.validate(try context.parameters.require("name"))
            let body = try await JSONBody.decode(InstanceBackupPrune.self, allowed: InstanceBackupPrune.fields, from: request, context: context)
            let store = try ResourceName.validate(body.store ?? BackupStore.defaultName, kind: "backup store")
            try await stores.requireStore(store)
            context.auditNote.target = name
            // Backups outlive their instance: a deleted instance's are pruned like any others.
            if await !manager.hasInstance(name, in: scope.project), await stores.backups(of: name, in: scope.project).isEmpty {
                throw InstanceBackupRoutes.noSuchInstance(name, scope.project)
            }
            return JSONBody.response(
                try await stores.prune(name, in: scope.project, store: store, keep: body.keep, dryRun: body.dryRun ?? false))
        }
        table.add(.delete, "/1.0/instances/{name}/backups/{backup}", .project(.operator), action: "instance.backup-delete") {
            _, context, scope in
            let name = try ResourceName.validate(try context.parameters.require("name"))
            let id = try BackupID(try context.parameters.require("backup"))
            context.auditNote.target = "\(name)/\(id)"
            _ = try await stores.deleteBackup(id, of: name, in: scope.project)
            return Response(status: .noContent)
        }
        registerSchedule(on: &table)
    }

    private static func registerSchedule(on table: inout RouteTable) {
        let manager = table.services.instances
        let stores = table.services.backupStores
        table.add(.get, "/1.0/instances/{name}/backup-schedule", .project(.viewer), action: "instance.backup-schedule-get") {
            _, context, scope in
            let name = try context.parameters.require("name")
            guard let schedule = try await manager.supervisor(name, in: scope.project).backupSchedule() else {
                throw JoistError.notFound("instance \(name) has no backup schedule")
            }
            return JSONBody.response(await stores.info(of: schedule, for: name, in: scope.project))
        }
        table.add(.put, "/1.0/instances/{name}/backup-schedule", .project(.operator), action: "instance.backup-schedule-set") {
            request, context, scope in
            let name = try context.parameters.require("name")
            let body = try await JSONBody.decode(BackupSchedulePut.self, allowed: BackupSchedulePut.fields, from: request, context: context)
            let schedule = try BackupSchedule(
                every: try SnapshotInterval(parsing: body.every), store: body.store ?? BackupStore.defaultName,
                keep: try RetentionPolicy(body.keep), since: Date())
            try await stores.requireStore(schedule.store)
            context.auditNote.target = name
            try await manager.supervisor(name, in: scope.project).setBackupSchedule(schedule)
            return JSONBody.response(await stores.info(of: schedule, for: name, in: scope.project))
        }
        table.add(.delete, "/1.0/instances/{name}/backup-schedule", .project(.operator), action: "instance.backup-schedule-clear") {
            _, context, scope in
            let name = try context.parameters.require("name")
            context.auditNote.target = name
            try await manager.supervisor(name, in: scope.project).setBackupSchedule(nil)
            return Response(status: .noContent)
        }
    }
}
