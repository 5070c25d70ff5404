import Activity
import Daemon
import Foundation
import Hummingbird
import JoistAPI
import JoistCore

/// `/1.0/operations…`: follow, wait for and cancel long actions.
enum OperationRoutes {
    /// The longest a single wait request blocks.
    static let maxWait = 3600

    static func register(on table: inout RouteTable) {
        let operations = table.services.operations
        table.add(.get, "/1.0/operations", .project(.viewer), action: "operation.list") { request, _, scope in
            let page = try PageRequest(request)
            let statuses = try Query.list(request, "status", of: JoistAPI.Operation.Status.self)
            let items = await operations.list(project: scope.project, statuses: statuses.map(Set.init))
            return JSONBody.response(page.page(items, cursor: \.id))
        }
        table.add(.get, "/1.0/operations/{id}", .any(.viewer), action: "operation.get") { _, context, scope in
            JSONBody.response(try await visible(context.parameters.require("id"), scope, operations))
        }
        table.add(.get, "/1.0/operations/{id}/wait", .any(.viewer), action: "operation.wait") { request, context, scope in
            let id = try context.parameters.require("id")
            _ = try await visible(id, scope, operations)
            let timeout = try Query.int(request, "timeout", in: 0...maxWait) ?? 60
            guard let operation = await operations.wait(id, timeout: .seconds(timeout)) else { throw notFound(id) }
            return JSONBody.response(operation)
        }
        table.add(.delete, "/1.0/operations/{id}", .any(.operator), action: "operation.cancel") { _, context, scope in
            let id = try context.parameters.require("id")
            _ = try await visible(id, scope, operations)
            return JSONBody.response(try await operations.cancel(id))
        }
    }

    /// The operation, if the caller may see its project; otherwise it does not exist for them.
    private static func visible(_ id: String, _ scope: RequestScope, _ operations: OperationManager) async throws -> JoistAPI.Operation {
        guard let operation = await operations.get(id), scope.identity.canSee(project: operation.project) else {
            throw notFound(id)
        }
        return operation
    }

    private static func notFound(_ id: String) -> JoistError { .notFound("operation \(id) not found") }
}
