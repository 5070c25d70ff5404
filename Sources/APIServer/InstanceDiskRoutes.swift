import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore

/// `/1.0/instances/{name}/disks…`: attach and detach volumes, hot-plugged when the instance runs.
/// A disk given as a host path is refused over TCP (403) before anything else is checked.
enum InstanceDiskRoutes {
    static func register(on table: inout RouteTable) {
        let manager = table.services.instances
        table.add(.post, "/1.0/instances/{name}/disks", .project(.operator), action: "instance.disk-attach") { request, context, scope in
            let body = try await JSONBody.decode(InstanceDiskAttach.self, allowed: ["disk"], from: request, context: context)
            let name = try context.parameters.require("name")
            try scope.requireHostFileAccess(body.hostPaths, to: "attach a disk to instance \(name)", instead: "attach a pool volume (POOL/NAME)")
            let instance = try await manager.attachDisk(body.disk, to: name, in: scope.project)
            return JSONBody.response(instance, etag: ETag.of(instance.config))
        }
        table.add(
            .delete, "/1.0/instances/{name}/disks/{pool}/{volume}", .project(.operator), action: "instance.disk-detach"
        ) { _, context, scope in
            let volume = try VolumeReference(parsing: "\(try context.parameters.require("pool"))/\(try context.parameters.require("volume"))")
            let instance = try await manager.detachDisk(volume, from: context.parameters.require("name"), in: scope.project)
            return JSONBody.response(instance, etag: ETag.of(instance.config))
        }
    }
}
