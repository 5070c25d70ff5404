import Daemon
import Hummingbird
import JoistAPI
import JoistCore

extension ImageRoutes {
    /// `POST /1.0/images/build`: builds an image from Debian packages as a cancellable operation whose
    /// progress counts the build's steps; the result names the image and whether it was built before.
    /// The request is checked (distribution, architecture, size, alias) before the operation starts.
    static func startBuild(
        _ request: Request, _ context: JoistRequestContext, _ scope: RequestScope, _ services: APIServices
    ) async throws -> Response {
        let body = try await JSONBody.decode(
            ImageBuild.self, allowed: ["distribution", "arch", "size", "alias", "force"], from: request, context: context)
        let options = try ImageBuildOptions(
            distribution: body.distribution, architecture: body.arch, size: body.size, alias: body.alias, force: body.force ?? false)
        context.auditNote.target = options.alias
        let images = services.images
        let description = "Building image \(options.alias) (\(options.distribution.rawValue), \(options.architecture.rawValue), \(options.size))"
        let operation = await services.startOperation(
            for: request, scope: scope, action: "image.build", target: options.alias, description: description,
            resources: ["/1.0/images"], mayCancel: true
        ) { operation in
            let built = try await ProgressRelay.run(to: operation, unit: "steps") { report in
                try await images.build(options, progress: report)
            }
            return [
                "fingerprint": built.image.fingerprint, "aliases": built.image.aliases.joined(separator: ","),
                "cached": built.cached ? "true" : "false", "cacheKey": built.cacheKey,
            ]
        }
        return accepted(operation)
    }
}
