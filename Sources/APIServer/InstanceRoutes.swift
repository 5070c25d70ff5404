import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore

/// `/1.0/instances…`: create, list, inspect, change state, configure and delete instances.
///
/// Kernels, initrds and file disks are files on joistd's host: only the local administrator on the Unix
/// socket may name them, in a create or a config change; token holders get 403 (see
/// `RequestScope.requireHostFileAccess`).
enum InstanceRoutes {
    /// Seconds a graceful stop waits when the request gives no timeout.
    static var defaultStopTimeout: Int { 30 }

    static func register(on table: inout RouteTable) {
        let services = table.services
        let manager = services.instances
        table.add(.get, "/1.0/instances", .project(.viewer), action: "instance.list") { request, _, scope in
            let page = try PageRequest(request)
            return JSONBody.response(json: try await manager.listJSON(in: scope.project, after: page.after, limit: page.limit))
        }
        table.add(.post, "/1.0/instances", .project(.operator), action: "instance.create") { request, context, scope in
            let body = try await JSONBody.decode(InstanceCreate.self, allowed: InstanceCreate.fields, nested: InstanceCreate.nestedFields, from: request, context: context)
            context.auditNote.target = body.name
            try scope.requireHostFileAccess(
                body.hostPaths, to: "create instance \(body.name)",
                instead: "remote callers give disks as pool volumes (POOL/NAME) or an image; kernels and initrds are the local administrator's to name")
            let instance = try await manager.create(body, in: scope.project, images: services.images)
            return JSONBody.response(instance, status: .created, etag: ETag.of(instance.config))
        }
        table.add(.get, "/1.0/instances/{name}", .project(.viewer), action: "instance.get") { _, context, scope in
            let supervisor = try await manager.supervisor(context.parameters.require("name"), in: scope.project)
            let instance = await supervisor.snapshot()
            return JSONBody.response(instance, etag: ETag.of(instance.config))
        }
        table.add(.delete, "/1.0/instances/{name}", .project(.operator), action: "instance.delete") { request, context, scope in
            let name = try context.parameters.require("name")
            let force = try Query.bool(request, "force") ?? false
            _ = try await manager.supervisor(name, in: scope.project)
            let operation = await services.startOperation(
                for: request, scope: scope, action: "instance.delete", target: name, description: "Deleting instance \(name)",
                resources: ["/1.0/instances/\(name)"]
            ) { _ in
                try await manager.delete(name, in: scope.project, force: force)
                return ["instance": name]
            }
            return accepted(operation)
        }
        table.add(.put, "/1.0/instances/{name}/state", .project(.operator), action: "instance.state") { request, context, scope in
            let name = try context.parameters.require("name")
            let change = try await JSONBody.decode(InstanceStateChange.self, allowed: ["action", "force", "timeout"], from: request, context: context)
            let timeout = change.timeout ?? defaultStopTimeout
            guard (0...86_400).contains(timeout) else { throw JoistError.invalidArgument("timeout must be between 0 and 86400 seconds") }
            let supervisor = try await manager.supervisor(name, in: scope.project)
            let action = "instance.\(change.action.rawValue)"
            let operation = await services.startOperation(
                for: request, scope: scope, action: action, target: name,
                description: "\(change.action.gerund) instance \(name)", resources: ["/1.0/instances/\(name)"]
            ) { _ in
                try await apply(change, timeout: timeout, to: supervisor)
                return ["instance": name, "state": await supervisor.snapshot().state.rawValue]
            }
            return accepted(operation)
        }
        table.add(.patch, "/1.0/instances/{name}/config", .project(.operator), action: "instance.update") { request, context, scope in
            let patch = try await JSONBody.decode(InstanceConfigPatch.self, allowed: ["settings"], nested: ["settings": ["key", "value"]], from: request, context: context)
            let name = try context.parameters.require("name")
            try scope.requireHostFileAccess(
                patch.hostPaths, to: "configure instance \(name)",
                instead: "kernel and initrd are the local administrator's to set (an empty initrd, which removes it, is allowed)")
            let instance = try await manager.updateConfig(
                name, in: scope.project, settings: patch.settings.map { ($0.key, $0.value) }, ifMatch: request.headers[.ifMatch],
                images: services.images)
            return JSONBody.response(instance, etag: ETag.of(instance.config))
        }
        table.add(.get, "/1.0/instances/{name}/console/log", .project(.viewer), action: "instance.console-log") { _, context, scope in
            let supervisor = try await manager.supervisor(context.parameters.require("name"), in: scope.project)
            return Response(
                status: .ok, headers: [.contentType: "application/octet-stream"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: supervisor.consoleHistory())))
        }
    }

    private static func apply(_ change: InstanceStateChange, timeout: Int, to supervisor: InstanceSupervisor) async throws {
        let force = change.force ?? false
        switch change.action {
        case .start: try await supervisor.start()
        case .stop: try await supervisor.stop(force: force, timeout: .seconds(timeout))
        case .restart: try await supervisor.restart(force: force, timeout: .seconds(timeout))
        case .pause: try await supervisor.pause()
        case .resume: try await supervisor.resume()
        }
    }
}

extension InstanceStateChange.Action {
    /// "Starting", "Stopping", … for operation descriptions.
    var gerund: String {
        switch self {
        case .start: "Starting"
        case .stop: "Stopping"
        case .restart: "Restarting"
        case .pause: "Pausing"
        case .resume: "Resuming"
        }
    }
}

extension InstanceCreate {
    /// The JSON fields a create request may carry.
    static let fields: Set<String> = [
        "name", "kernel", "initrd", "cmdline", "cpus", "memory", "disks", "nics", "machine", "accel", "image", "pool", "rootSize",
        "cdrom", "cloudInit", "display",
    ]
    /// The fields of its sub-objects.
    static let nestedFields: [String: Set<String>] = ["cloudInit": ["userData", "sshKeys", "hostname"]]
}
