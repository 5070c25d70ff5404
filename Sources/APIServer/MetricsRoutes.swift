import Daemon
import Foundation
import Hummingbird
import JoistAPI

/// `/1.0/resources` (the host's CPU, memory, pools and uptime) and `/1.0/instances/{name}/metrics`
/// (an instance's last hour), read by dashboards, the CLI and monitoring.
enum MetricsRoutes {
    static func register(on table: inout RouteTable) {
        let sampler = table.services.metrics
        let manager = table.services.instances
        table.add(.get, "/1.0/resources", .any(.viewer), action: "server.resources") { _, _, _ in
            JSONBody.response(await sampler.resources())
        }
        table.add(.get, "/1.0/instances/{name}/metrics", .project(.viewer), action: "instance.metrics") { request, context, scope in
            let since = try Query.date(request, "since")
            let supervisor = try await manager.supervisor(context.parameters.require("name"), in: scope.project)
            return JSONBody.response(await sampler.metrics(of: supervisor, since: since))
        }
    }
}
