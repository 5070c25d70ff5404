import Foundation
import Hummingbird
import JoistAPI
import JoistCore
import Daemon

/// `/1.0/instances…`: create, list, inspect, change state, configure and delete instances.
struct InstanceRoutes<Context: RequestContext> {
    let manager: InstanceManager
    /// Seconds a graceful stop waits when the request gives no timeout.
    static var defaultStopTimeout: Int { 30 }

    func register(on router: Router<Context>) {
        router.get("/1.0/instances") { _, _ in JSONBody.response(await manager.list()) }
        router.post("/1.0/instances") { request, context in
            let body = try await JSONBody.decode(InstanceCreate.self, allowed: InstanceCreate.fields, from: request, context: context)
            return JSONBody.response(try await manager.create(body), status: .created)
        }
        router.get("/1.0/instances/{name}") { _, context in
            JSONBody.response(try await manager.supervisor(context.parameters.require("name")).snapshot())
        }
        router.delete("/1.0/instances/{name}") { request, context in
            let force = request.uri.queryParameters.get("force").map { $0 == "true" || $0 == "1" } ?? false
            try await manager.delete(try context.parameters.require("name"), force: force)
            return Response(status: .noContent)
        }
        router.put("/1.0/instances/{name}/state") { request, context in
            let change = try await JSONBody.decode(InstanceStateChange.self, allowed: ["action", "force", "timeout"], from: request, context: context)
            let supervisor = try await manager.supervisor(context.parameters.require("name"))
            try await apply(change, to: supervisor)
            return JSONBody.response(await supervisor.snapshot())
        }
        router.patch("/1.0/instances/{name}/config") { request, context in
            let patch = try await JSONBody.decode(InstanceConfigPatch.self, allowed: ["settings"], from: request, context: context)
            let supervisor = try await manager.supervisor(context.parameters.require("name"))
            try await supervisor.updateConfig(patch.settings.map { ($0.key, $0.value) })
            return JSONBody.response(await supervisor.snapshot())
        }
        router.get("/1.0/instances/{name}/console/log") { _, context in
            let supervisor = try await manager.supervisor(context.parameters.require("name"))
            return Response(
                status: .ok, headers: [.contentType: "application/octet-stream"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: supervisor.consoleHistory())))
        }
    }

    private func apply(_ change: InstanceStateChange, to supervisor: InstanceSupervisor) async throws {
        let timeout = change.timeout ?? Self.defaultStopTimeout
        guard timeout >= 0 else { throw JoistError.invalidArgument("timeout must not be negative") }
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

extension InstanceCreate {
    /// The JSON fields a create request may carry.
    static let fields: Set<String> = ["name", "kernel", "initrd", "cmdline", "cpus", "memory", "disks", "nics", "machine", "accel"]
}
