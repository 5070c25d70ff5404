import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore
import Storage

extension ImageRoutes {
    /// `POST /1.0/images`: an import, answered with an operation.
    ///
    /// - `application/octet-stream`: the image's bytes, alias in `?alias=`. The body is streamed into
    ///   a staging file as it arrives (never collected, so the 1 MiB limit of JSON bodies does not
    ///   apply), hashed on the way; the operation then detects, converts and records it.
    /// - `application/json` (`ImageImport`): `url` for the daemon to download in the operation, or
    ///   `path` of a file on the daemon's host, which only the local administrator on the Unix socket
    ///   may name.
    static func startImport(
        _ request: Request, _ context: JoistRequestContext, _ scope: RequestScope, _ services: APIServices
    ) async throws -> Response {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        switch mediaType {
        case "application/octet-stream":
            return try await upload(request, context, scope, services)
        case "application/json":
            return try await importJSON(request, context, scope, services)
        default:
            throw JoistError.invalidArgument(
                "POST /1.0/images takes the image's bytes as application/octet-stream, or application/json naming a url, "
                    + "not \(mediaType ?? "no content type")")
        }
    }

    private static func upload(
        _ request: Request, _ context: JoistRequestContext, _ scope: RequestScope, _ services: APIServices
    ) async throws -> Response {
        let alias = try request.uri.queryParameters.get("alias").map { try ImageManager.validate(alias: String($0)) }
        context.auditNote.target = alias ?? "upload"
        let expected = request.headers[.contentLength].flatMap { UInt64($0) }
        let staging = try services.images.newUpload(expectedSize: expected)
        let staged: StagedFile
        do {
            for try await buffer in request.body {
                try buffer.withUnsafeReadableBytes { try staging.write($0) }
            }
            staged = try staging.finish()
        } catch {
            staging.discard()
            throw error
        }
        guard staged.size > 0 else {
            unlink(staged.path)
            throw JoistError.invalidArgument("the upload is empty: send the image's bytes as the request body")
        }
        let description = "Importing an uploaded image (\(ByteSize(bytes: staged.size).approximate))"
        return accepted(
            await start(request, scope, services, description: description, target: alias ?? "upload") { report in
                try await services.images.importStaged(staged, origin: "the upload", alias: alias, progress: report)
            })
    }

    private static func importJSON(
        _ request: Request, _ context: JoistRequestContext, _ scope: RequestScope, _ services: APIServices
    ) async throws -> Response {
        let body = try await JSONBody.decode(ImageImport.self, allowed: ["url", "path", "alias"], from: request, context: context)
        let alias = try body.alias.map(ImageManager.validate(alias:))
        let images = services.images
        switch (body.url, body.path) {
        case (let url?, nil):
            context.auditNote.target = alias ?? url
            return accepted(
                await start(request, scope, services, description: "Importing an image from \(url)", target: alias ?? url) { report in
                    let staged = try await images.download(url, progress: report)
                    return try await images.importStaged(staged, origin: url, alias: alias, progress: report)
                })
        case (nil, let path?):
            context.auditNote.target = alias ?? path
            try scope.requireHostFileAccess([path], to: "import an image", instead: "upload its bytes instead (joist image import FILE does)")
            return accepted(
                await start(request, scope, services, description: "Importing an image from \(path)", target: alias ?? path) { report in
                    let staged = try await images.stage(file: path, progress: report)
                    return try await images.importStaged(staged, origin: path, alias: alias, progress: report)
                })
        default:
            throw JoistError.invalidArgument(
                "an image import names exactly one of url and path (or sends the image's bytes as application/octet-stream)")
        }
    }

    /// Starts the import's operation (cancellable), relaying its progress, with the image's
    /// fingerprint and whether it existed already as the result.
    private static func start(
        _ request: Request, _ scope: RequestScope, _ services: APIServices, description: String, target: String,
        work: @escaping @Sendable (_ report: @escaping TransferProgressHandler) async throws -> ImportedImage
    ) async -> JoistAPI.Operation {
        await services.startOperation(
            for: request, scope: scope, action: "image.import", target: target, description: description, resources: ["/1.0/images"],
            mayCancel: true
        ) { operation in
            let imported = try await ProgressRelay.run(to: operation, work)
            return [
                "fingerprint": imported.image.fingerprint, "existed": imported.existed ? "true" : "false",
                "aliases": imported.image.aliases.joined(separator: ","),
            ]
        }
    }
}
