import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore

/// `/1.0/images…`: the global image store. Anyone may look (seeing, among the volumes that read an
/// image, only those of their own project); only global admins import, alias and delete images,
/// since every project shares them and imports fill the daemon's own file system.
///
/// `{name}` is an alias, a fingerprint or a unique fingerprint prefix of at least 12 digits.
enum ImageRoutes {
    static func register(on table: inout RouteTable) {
        let services = table.services
        let images = services.images
        table.add(.get, "/1.0/images", .any(.viewer), action: "image.list") { request, _, scope in
            let page = try PageRequest(request)
            return JSONBody.response(page.page(await images.list(visibleTo: scope.identity.project), cursor: \.fingerprint))
        }
        table.add(.post, "/1.0/images", .global(.admin), action: "image.import") { request, context, scope in
            try await startImport(request, context, scope, services)
        }
        table.add(.post, "/1.0/images/build", .global(.admin), action: "image.build") { request, context, scope in
            try await startBuild(request, context, scope, services)
        }
        table.add(.get, "/1.0/images/{name}", .any(.viewer), action: "image.get") { _, context, scope in
            JSONBody.response(try await images.image(context.parameters.require("name"), visibleTo: scope.identity.project))
        }
        table.add(.delete, "/1.0/images/{name}", .global(.admin), action: "image.delete") { _, context, _ in
            try await images.delete(context.parameters.require("name"))
            return Response(status: .noContent)
        }
        table.add(.post, "/1.0/images/{name}/aliases", .global(.admin), action: "image.alias-create") { request, context, _ in
            let body = try await JSONBody.decode(ImageAliasCreate.self, allowed: ["name"], from: request, context: context)
            let image = try await images.addAlias(body.name, to: context.parameters.require("name"))
            return JSONBody.response(image, status: .created)
        }
        table.add(.delete, "/1.0/images/{name}/aliases/{alias}", .global(.admin), action: "image.alias-delete") { _, context, _ in
            try await images.removeAlias(context.parameters.require("alias"), of: context.parameters.require("name"))
            return Response(status: .noContent)
        }
    }
}
