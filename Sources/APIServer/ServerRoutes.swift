import Daemon
import Foundation
import Hummingbird
import JoistAPI

/// `/1.0/health`, `/1.0` and `/1.0/openapi.yaml`.
enum ServerRoutes {
    static func register(on table: inout RouteTable) {
        table.add(.get, "/1.0/health", .open, action: "server.health") { _, _, _ in
            JSONBody.response(["status": "ok"])
        }
        let networks = table.services.networks
        table.add(.get, "/1.0", .any(.viewer), action: "server.info") { _, _, scope in
            JSONBody.response(
                ServerInfo(
                    apiVersion: "1.0", version: APIServer.version, identity: scope.identity.name,
                    role: scope.identity.role, project: scope.identity.project,
                    networkFeatures: await networks.hostFeatures()))
        }
        table.add(.get, "/1.0/openapi.yaml", .any(.viewer), action: "server.openapi") { _, _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPISpec.yaml)))
        }
    }
}
