import Activity
import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore

/// `/1.0/storage-pools/{pool}/volumes…` and `/1.0/volumes`: a project's virtual disks. Reads need
/// viewer, changes operator, in the project of `?project=` (as instances).
enum StorageVolumeRoutes {
    static func register(on table: inout RouteTable) {
        let services = table.services
        let storage = services.storage
        table.add(.get, "/1.0/volumes", .project(.viewer), action: "volume.list-all") { request, _, scope in
            let page = try PageRequest(request)
            // Sorted by the cursor itself, so that `after=POOL/NAME` pages consistently.
            let volumes = try await storage.volumes(in: scope.project).sorted { $0.cursor < $1.cursor }
            return JSONBody.response(page.page(volumes, cursor: \.cursor))
        }
        table.add(.get, "/1.0/storage-pools/{pool}/volumes", .project(.viewer), action: "volume.list") { request, context, scope in
            let page = try PageRequest(request)
            let volumes = try await storage.volumes(in: scope.project, pool: context.parameters.require("pool"))
            return JSONBody.response(page.page(volumes, cursor: \.name))
        }
        table.add(.post, "/1.0/storage-pools/{pool}/volumes", .project(.operator), action: "volume.create") { request, context, scope in
            let body = try await JSONBody.decode(StorageVolumeCreate.self, allowed: ["name", "size", "format"], from: request, context: context)
            context.auditNote.target = body.name
            let volume = try await storage.createVolume(body, pool: context.parameters.require("pool"), project: scope.project)
            return JSONBody.response(volume, status: .created)
        }
        table.add(.get, "/1.0/storage-pools/{pool}/volumes/{name}", .project(.viewer), action: "volume.get") { _, context, scope in
            JSONBody.response(try await storage.volume(reference(context), project: scope.project))
        }
        table.add(.delete, "/1.0/storage-pools/{pool}/volumes/{name}", .project(.operator), action: "volume.delete") { _, context, scope in
            try await storage.deleteVolume(reference(context), project: scope.project)
            return Response(status: .noContent)
        }
        table.add(.post, "/1.0/storage-pools/{pool}/volumes/{name}/resize", .project(.operator), action: "volume.resize") { request, context, scope in
            let body = try await JSONBody.decode(StorageVolumeResize.self, allowed: ["size", "allowShrink"], from: request, context: context)
            let size = try ByteSize(parsing: body.size)
            let volume = try reference(context)
            let project = scope.project
            let resized = try await storage.resize(
                volume, project: project, to: size, allowShrink: body.allowShrink ?? false
            ) { instances, bytes in
                try await services.instances.resizeRunningDisk(volume, of: instances, in: project, to: ByteSize(bytes: bytes))
            }
            return JSONBody.response(resized)
        }
        table.add(.post, "/1.0/storage-pools/{pool}/volumes/{name}/clone", .project(.operator), action: "volume.clone") { request, context, scope in
            let body = try await JSONBody.decode(StorageVolumeClone.self, allowed: ["name", "linked"], from: request, context: context)
            let source = try reference(context)
            try ResourceName.validate(body.name, kind: "volume")
            // A missing source is refused at once, not as a failed operation.
            let found = try await storage.volume(source, project: scope.project)
            let size = found.size
            // A running guest writes while the copy reads: the clone would be torn.
            if let running = try await services.instances.firstRunning(of: found.usedBy, in: scope.project) {
                throw JoistError.invalidState("cannot clone volume \(source) while instance \(running) runs with it; stop the instance first")
            }
            let linked = body.linked ?? false
            let target = VolumeReference(pool: source.pool, name: body.name)
            let operation = await services.startOperation(
                for: request, scope: scope, action: "volume.clone", target: source.name,
                description: "\(linked ? "Linking" : "Copying") volume \(source) to \(target)",
                resources: [path(of: source), path(of: target)]
            ) { operation in
                let volume = try await ProgressRelay.run(to: operation, total: size.bytes, stage: "copying") { report in
                    try await storage.clone(source, project: scope.project, to: body.name, linked: linked, progress: report)
                }
                return ["volume": "\(target)", "linked": volume.linkedTo == nil ? "false" : "true"]
            }
            return accepted(operation)
        }
    }

    /// The volume the path names.
    private static func reference(_ context: JoistRequestContext) throws -> VolumeReference {
        VolumeReference(pool: try context.parameters.require("pool"), name: try context.parameters.require("name"))
    }

    private static func path(of volume: VolumeReference) -> String { "/1.0/storage-pools/\(volume.pool)/volumes/\(volume.name)" }
}

extension StorageVolume {
    /// `POOL/NAME`: the paging cursor of listings across pools.
    var cursor: String { "\(pool)/\(name)" }
}
