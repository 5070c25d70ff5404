import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore

/// `POST /1.0/instances/{name}/publish`: a stopped instance's first volume becomes an image (a
/// template others launch from). Images are global, so this needs an admin token for every project.
enum InstancePublishRoutes {
    static func register(on table: inout RouteTable) {
        let services = table.services
        table.add(.post, "/1.0/instances/{name}/publish", .global(.admin), action: "instance.publish") { request, context, scope in
            // A global admin may publish from any project: the instance's is named by `?project=`.
            let project = try ResourceName.validate(request.uri.queryParameters.get("project").map { String($0) } ?? Project.defaultName, kind: "project")
            _ = try await services.projects.require(project)
            let body = try await JSONBody.decode(InstancePublish.self, allowed: ["alias"], from: request, context: context)
            let name = try context.parameters.require("name")
            let alias = try body.alias.map { try ImageManager.validate(alias: $0) }
            _ = try await services.instances.supervisor(name, in: project)
            let operation = await services.startOperation(
                for: request, scope: scope, action: "instance.publish", target: name, description: "Publishing instance \(name) as an image",
                resources: ["/1.0/instances/\(name)", "/1.0/images"], mayCancel: true
            ) { operation in
                let published = try await ProgressRelay.run(to: operation) { report in
                    try await services.instances.publish(name, in: project, alias: alias, images: services.images, progress: report)
                }
                return ["fingerprint": published.image.fingerprint, "aliases": published.image.aliases.joined(separator: ",")]
            }
            return accepted(operation)
        }
    }
}
