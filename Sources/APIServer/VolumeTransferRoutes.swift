import Activity
import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore

/// `…/volumes/{name}/import`, `…/volumes/{name}/export` and `/1.0/volume-exports/{id}`: volumes made
/// from image files and written to them (qcow2, raw, vmdk, vdi, vhdx, vpc), as cancellable operations
/// with progress. Operators of the project may do both.
///
/// Where the bytes are depends on the caller. The local administrator (the Unix socket) names files on
/// joistd's host, which qemu-img reads and writes in place: nothing is copied through the socket.
/// Everyone else may never name a host path (403); they upload the image as the request body, which
/// is streamed to the staging folder, and download an export once its operation has made it.
enum VolumeTransferRoutes {
    static func register(on table: inout RouteTable) {
        let services = table.services
        table.add(.post, "/1.0/storage-pools/{pool}/volumes/{name}/import", .project(.operator), action: "volume.import") {
            request, context, scope in
            try await startImport(request, context, scope, services)
        }
        table.add(.post, "/1.0/storage-pools/{pool}/volumes/{name}/export", .project(.operator), action: "volume.export") {
            request, context, scope in
            try await startExport(request, context, scope, services)
        }
        table.add(.get, "/1.0/volume-exports/{id}", .project(.operator), action: "volume-export.get") { _, context, scope in
            let staged = try await services.storage.stagedExport(context.parameters.require("id"), project: scope.project)
            // Streamed from the file a chunk at a time, with its length.
            let body = try await FileIO().loadFile(path: staged.path, context: context)
            return Response(
                status: .ok,
                headers: [.contentType: "application/octet-stream", .contentDisposition: "attachment; filename=\"\(staged.fileName)\""],
                body: body)
        }
        table.add(.delete, "/1.0/volume-exports/{id}", .project(.operator), action: "volume-export.delete") { _, context, scope in
            try await services.storage.discardExport(context.parameters.require("id"), project: scope.project)
            return Response(status: .noContent)
        }
    }

    /// An import from a host file (JSON body) or from the uploaded bytes (any other body).
    private static func startImport(
        _ request: Request, _ context: JoistRequestContext, _ scope: RequestScope, _ services: APIServices
    ) async throws -> Response {
        let storage = services.storage
        let target = try reference(context)
        try await storage.checkImportTarget(target, project: scope.project)
        let source: ImportSource
        let format: DiskFormat?
        let upload: String?
        if isJSON(request) {
            let body = try await JSONBody.decode(StorageVolumeImport.self, allowed: ["path", "sourceFormat", "format"], from: request, context: context)
            try scope.requireHostFileAccess(
                [body.path], to: "import volume \(target)", instead: "upload the file as the request body (application/octet-stream)")
            source = try await storage.inspectImport(body.path, format: body.sourceFormat, origin: .hostFile)
            format = body.format
            upload = nil
        } else {
            let sourceFormat = try one(request, "sourceFormat", of: VolumeFileFormat.self)
            format = try one(request, "format", of: DiskFormat.self)
            let path = try await UploadReceiver(staging: storage.staging).receive(request, context: context)
            do {
                source = try await storage.inspectImport(path, format: sourceFormat, origin: .upload)
            } catch {
                storage.staging.remove(path)
                throw error
            }
            upload = path
        }
        let operation = await services.startOperation(
            for: request, scope: scope, action: "volume.import", target: target.name,
            description: "Importing \(source.format.rawValue) image as volume \(target)", resources: [path(of: target)],
            mayCancel: true
        ) { operation in
            defer { if let upload { storage.staging.remove(upload) } }
            let volume = try await ProgressRelay.run(to: operation, total: source.virtualSize.bytes, stage: "converting") { report in
                try await storage.importVolume(source, as: target, project: scope.project, format: format, progress: report)
            }
            return [
                VolumeTransferResult.volume: "\(target)", VolumeTransferResult.fileFormat: source.format.rawValue,
                "format": volume.format.rawValue, "size": "\(volume.size)",
            ]
        }
        return accepted(operation)
    }

    /// An export to a host file (with `path`) or into the staging folder for download.
    private static func startExport(
        _ request: Request, _ context: JoistRequestContext, _ scope: RequestScope, _ services: APIServices
    ) async throws -> Response {
        let storage = services.storage
        let volume = try reference(context)
        let body = try await JSONBody.decode(StorageVolumeExport.self, allowed: ["format", "path", "force"], from: request, context: context)
        let size = try await storage.volume(volume, project: scope.project).size
        let replacing = body.force ?? false
        if let path = body.path {
            try scope.requireHostFileAccess([path], to: "export volume \(volume)", instead: "leave out path and download the export")
            try await storage.checkExportDestination(path, replacing: replacing)
        }
        let format = body.format
        let operation = await services.startOperation(
            for: request, scope: scope, action: "volume.export", target: volume.name,
            description: "Exporting volume \(volume) as \(format.rawValue)", resources: [path(of: volume)], mayCancel: true
        ) { operation in
            let written = try await ProgressRelay.run(to: operation, total: size.bytes, stage: "converting") { report in
                if let path = body.path {
                    try await storage.exportVolume(volume, project: scope.project, to: path, format: format, replacing: replacing, progress: report)
                    return [VolumeTransferResult.path: path]
                }
                let staged = try await storage.stageExport(volume, project: scope.project, format: format, id: operation.operationID, progress: report)
                return [VolumeTransferResult.download: "/1.0/volume-exports/\(staged.id)", VolumeTransferResult.bytes: String(staged.bytes)]
            }
            return written.merging([VolumeTransferResult.volume: "\(volume)", VolumeTransferResult.fileFormat: format.rawValue]) { $1 }
        }
        return accepted(operation)
    }

    private static func isJSON(_ request: Request) -> Bool {
        request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true
    }

    /// A query parameter that names one case of `T`.
    private static func one<T: RawRepresentable & CaseIterable>(_ request: Request, _ name: String, of type: T.Type) throws(JoistError) -> T?
    where T.RawValue == String {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        guard let value = T(rawValue: String(text)) else {
            throw .invalidArgument("query parameter \(name) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
        }
        return value
    }

    private static func reference(_ context: JoistRequestContext) throws -> VolumeReference {
        VolumeReference(pool: try context.parameters.require("pool"), name: try context.parameters.require("name"))
    }

    private static func path(of volume: VolumeReference) -> String { "/1.0/storage-pools/\(volume.pool)/volumes/\(volume.name)" }
}
