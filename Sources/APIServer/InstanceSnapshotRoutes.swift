import Activity
import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore

/// `/1.0/instances/{name}/snapshots…` and `…/snapshot-schedule`: take, list, restore and delete an
/// instance's snapshots (operations, with progress while QEMU saves or loads state), and its schedule.
enum InstanceSnapshotRoutes {
    static func register(on table: inout RouteTable) {
        let services = table.services
        let manager = services.instances
        table.add(.get, "/1.0/instances/{name}/snapshots", .project(.viewer), action: "instance.snapshot-list") { _, context, scope in
            let supervisor = try await manager.supervisor(context.parameters.require("name"), in: scope.project)
            return JSONBody.response(await supervisor.snapshots())
        }
        table.add(.post, "/1.0/instances/{name}/snapshots", .project(.operator), action: "instance.snapshot-create") { request, context, scope in
            let name = try context.parameters.require("name")
            let body = try await JSONBody.decode(InstanceSnapshotCreate.self, allowed: ["name", "stateful"], from: request, context: context)
            try ResourceName.validate(body.name, kind: "snapshot")
            context.auditNote.target = "\(name)/\(body.name)"
            let supervisor = try await manager.supervisor(name, in: scope.project)
            let stateful = body.stateful ?? false
            let operation = await services.startOperation(
                for: request, scope: scope, action: "instance.snapshot-create", target: "\(name)/\(body.name)",
                description: "Taking \(stateful ? "stateful " : "")snapshot \(body.name) of instance \(name)",
                resources: ["/1.0/instances/\(name)", "/1.0/instances/\(name)/snapshots/\(body.name)"]
            ) { operation in
                let snapshot = try await supervisor.createSnapshot(body.name, stateful: stateful, progress: reporter(operation, stage: "saving state"))
                return ["instance": name, "snapshot": snapshot.name]
            }
            return accepted(operation)
        }
        table.add(.get, "/1.0/instances/{name}/snapshots/{snapshot}", .project(.viewer), action: "instance.snapshot-get") { _, context, scope in
            let supervisor = try await manager.supervisor(context.parameters.require("name"), in: scope.project)
            return JSONBody.response(try await supervisor.snapshot(named: context.parameters.require("snapshot")))
        }
        table.add(.delete, "/1.0/instances/{name}/snapshots/{snapshot}", .project(.operator), action: "instance.snapshot-delete") {
            request, context, scope in
            let (name, snapshot, supervisor) = try await target(context, scope, manager)
            let operation = await services.startOperation(
                for: request, scope: scope, action: "instance.snapshot-delete", target: "\(name)/\(snapshot)",
                description: "Deleting snapshot \(snapshot) of instance \(name)", resources: ["/1.0/instances/\(name)/snapshots/\(snapshot)"]
            ) { _ in
                try await supervisor.deleteSnapshot(snapshot)
                return ["instance": name, "snapshot": snapshot]
            }
            return accepted(operation)
        }
        table.add(.post, "/1.0/instances/{name}/snapshots/{snapshot}/restore", .project(.operator), action: "instance.snapshot-restore") {
            request, context, scope in
            let (name, snapshot, supervisor) = try await target(context, scope, manager)
            let body = try await JSONBody.decode(InstanceSnapshotRestore.self, allowed: ["force"], from: request, context: context)
            let operation = await services.startOperation(
                for: request, scope: scope, action: "instance.snapshot-restore", target: "\(name)/\(snapshot)",
                description: "Restoring snapshot \(snapshot) of instance \(name)",
                resources: ["/1.0/instances/\(name)", "/1.0/instances/\(name)/snapshots/\(snapshot)"]
            ) { operation in
                try await supervisor.restoreSnapshot(snapshot, force: body.force ?? false, progress: reporter(operation, stage: "loading state"))
                return ["instance": name, "snapshot": snapshot, "state": await supervisor.snapshot().state.rawValue]
            }
            return accepted(operation)
        }
        registerSchedule(on: &table)
    }

    private static func registerSchedule(on table: inout RouteTable) {
        let manager = table.services.instances
        table.add(.get, "/1.0/instances/{name}/snapshot-schedule", .project(.viewer), action: "instance.snapshot-schedule-get") {
            _, context, scope in
            let name = try context.parameters.require("name")
            let supervisor = try await manager.supervisor(name, in: scope.project)
            guard let info = await supervisor.snapshotScheduleInfo() else {
                throw JoistError.notFound("instance \(name) has no snapshot schedule")
            }
            return JSONBody.response(info)
        }
        table.add(.put, "/1.0/instances/{name}/snapshot-schedule", .project(.operator), action: "instance.snapshot-schedule-set") {
            request, context, scope in
            let body = try await JSONBody.decode(SnapshotSchedulePut.self, allowed: ["every", "keep", "stateful"], from: request, context: context)
            return JSONBody.response(try await manager.setSnapshotSchedule(body, of: context.parameters.require("name"), in: scope.project))
        }
        table.add(.delete, "/1.0/instances/{name}/snapshot-schedule", .project(.operator), action: "instance.snapshot-schedule-clear") {
            _, context, scope in
            try await manager.supervisor(context.parameters.require("name"), in: scope.project).setSnapshotSchedule(nil)
            return Response(status: .noContent)
        }
    }

    /// The instance, the snapshot's name (validated) and the instance's supervisor.
    private static func target(
        _ context: JoistRequestContext, _ scope: RequestScope, _ manager: InstanceManager
    ) async throws -> (String, String, InstanceSupervisor) {
        let name = try context.parameters.require("name")
        let snapshot = try ResourceName.validate(try context.parameters.require("snapshot"), kind: "snapshot")
        let supervisor = try await manager.supervisor(name, in: scope.project)
        _ = try await supervisor.snapshot(named: snapshot)
        return (name, snapshot, supervisor)
    }

    /// Reports QEMU's job progress (fractions of one) on the operation as percent.
    static func reporter(_ operation: OperationContext, stage: String) -> @Sendable (Double) -> Void {
        { fraction in
            Task { await operation.progress(OperationProgress(done: Int64((fraction * 100).rounded()), total: 100, unit: "percent", stage: stage)) }
        }
    }
}
