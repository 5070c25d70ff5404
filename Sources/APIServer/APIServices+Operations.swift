import Activity
import Daemon
import Foundation
import Hummingbird
import JoistAPI

extension APIServices {
    /// Starts `work` as an operation in the request's project, and audits it when it ends, with the
    /// outcome it really had rather than the 202 that accepted it. Lifecycle changes are not
    /// cancellable (half a start is not a state); imports and backups will be.
    func startOperation(
        for request: Request, scope: RequestScope, action: String, target: String, description: String,
        resources: [String], mayCancel: Bool = false,
        work: @escaping @Sendable (OperationContext) async throws -> [String: String]?
    ) async -> JoistAPI.Operation {
        let audit = self.audit
        let logger = self.logger
        let method = request.method.rawValue
        let path = request.uri.path
        let identity = scope.identity
        let project = scope.project
        let recordOutcome: @Sendable (Int, String?) -> Void = { status, message in
            do {
                _ = try audit.record(
                    AuditEntry(
                        actor: identity.name, role: identity.role.rawValue, project: project, action: action,
                        target: target, method: method, path: path, status: status,
                        outcome: status < 400 ? .succeeded : .failed, error: message))
            } catch {
                logger.error("cannot write the audit log: \(error)")
            }
        }
        return await operations.start(
            action: action, description: description, project: project, resources: resources,
            requestedBy: identity.name, mayCancel: mayCancel
        ) { context in
            do {
                let result = try await work(context)
                recordOutcome(200, nil)
                return result
            } catch {
                if error is CancellationError {
                    recordOutcome(499, "cancelled")
                } else {
                    let (status, body) = APIErrorMapping.describe(error)
                    recordOutcome(Int(status.code), body.error.message)
                }
                throw error
            }
        }
    }
}

/// `202 Accepted` with the operation and where to follow it.
func accepted(_ operation: JoistAPI.Operation) -> Response {
    var response = JSONBody.response(operation, status: .accepted)
    response.headers[.location] = "/1.0/operations/\(operation.id)"
    return response
}
