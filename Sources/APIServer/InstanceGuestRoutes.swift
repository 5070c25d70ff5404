import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore
import Synchronization

/// `/1.0/instances/{name}/exec`, `…/files` and `…/guest`: the guest agent's services. Running commands
/// and copying files in either direction are for operators (reading a guest's files is as powerful
/// as running `cat` there); what the guest says about itself is for viewers.
enum InstanceGuestRoutes {
    static func register(on table: inout RouteTable) {
        let manager = table.services.instances
        table.add(.post, "/1.0/instances/{name}/exec", .project(.operator), action: "instance.exec") { request, context, scope in
            let body = try await JSONBody.decode(InstanceExec.self, allowed: InstanceExec.fields, from: request, context: context)
            let supervisor = try await manager.supervisor(context.parameters.require("name"), in: scope.project)
            return JSONBody.response(try await supervisor.exec(body))
        }
        table.add(.put, "/1.0/instances/{name}/files", .project(.operator), action: "instance.file-push") { request, context, scope in
            let supervisor = try await manager.supervisor(context.parameters.require("name"), in: scope.project)
            let path = try guestPath(request)
            let mode = try fileMode(request)
            let chunks = request.body.map { Array($0.readableBytesView) }
            let written = try await supervisor.pushFile(chunks, to: path, mode: mode)
            return JSONBody.response(["path": path, "bytes": String(written)])
        }
        table.add(.get, "/1.0/instances/{name}/files", .project(.operator), action: "instance.file-pull", auditReads: true) { request, context, scope in
            let supervisor = try await manager.supervisor(context.parameters.require("name"), in: scope.project)
            return try await pull(try guestPath(request), from: supervisor)
        }
        table.add(.get, "/1.0/instances/{name}/guest", .project(.viewer), action: "instance.guest") { _, context, scope in
            let supervisor = try await manager.supervisor(context.parameters.require("name"), in: scope.project)
            return JSONBody.response(await supervisor.guest())
        }
    }

    /// Streams the file's bytes as they come from the agent; errors before the file is open (no such
    /// file, no agent) are ordinary error answers. The stream's first, empty element says it opened.
    private static func pull(_ path: String, from supervisor: InstanceSupervisor) async throws -> Response {
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let task = Task {
            do {
                _ = try await supervisor.pullFile(path, opened: { continuation.yield(ByteBuffer()) }) { chunk in
                    continuation.yield(ByteBuffer(bytes: chunk))
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        var iterator = stream.makeAsyncIterator()
        _ = try await iterator.next()
        return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: ResponseBody(asyncSequence: stream))
    }

    /// The `path` query parameter: an absolute path in the guest.
    private static func guestPath(_ request: Request) throws -> String {
        guard let path = request.uri.queryParameters.get("path"), !path.isEmpty else {
            throw JoistError.invalidArgument("query parameter path is required: the absolute path of the file in the guest")
        }
        return String(path)
    }

    /// The `mode` query parameter: octal permissions, 0644 when absent.
    private static func fileMode(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters.get("mode") else { return 0o644 }
        guard (1...4).contains(text.count), let mode = Int(text, radix: 8) else {
            throw JoistError.invalidArgument("mode must be octal permissions such as 0644, not '\(text)'")
        }
        return mode
    }
}
