import Foundation

/// Something the daemon does that can take more than a moment (start, stop, import, backup, …).
///
/// The API answers such requests with `202 Accepted` and the operation; clients poll
/// `GET /1.0/operations/{id}`, block on `GET /1.0/operations/{id}/wait`, or follow the event stream.
public struct Operation: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case pending, running, succeeded, failed, cancelled

        /// Whether the operation has ended and will not change again.
        public var isFinal: Bool { self == .succeeded || self == .failed || self == .cancelled }
    }

    /// A random UUID, lowercase.
    public var id: String
    /// What kind of work, e.g. `instance.start`; the same names as audit actions.
    public var action: String
    /// A sentence for humans: "Starting instance web-1".
    public var description: String
    public var project: String
    /// API paths of the resources it works on, e.g. `/1.0/instances/web-1`.
    public var resources: [String]
    public var status: Status
    public var progress: OperationProgress?
    /// Whether `DELETE /1.0/operations/{id}` can stop it.
    public var mayCancel: Bool
    /// Who asked for it: a token name, or `local` for the Unix socket.
    public var requestedBy: String
    public var createdAt: Date
    public var updatedAt: Date
    /// Set when `status` is `failed` (or `cancelled`, with code `cancelled`).
    public var error: ErrorResponse.Body?
    /// Small named results, e.g. `{"instance": "web-1"}`, set when it succeeded.
    public var result: [String: String]?

    public init(
        id: String, action: String, description: String, project: String, resources: [String],
        status: Status, progress: OperationProgress? = nil, mayCancel: Bool, requestedBy: String,
        createdAt: Date, updatedAt: Date, error: ErrorResponse.Body? = nil, result: [String: String]? = nil
    ) {
        self.id = id
        self.action = action
        self.description = description
        self.project = project
        self.resources = resources
        self.status = status
        self.progress = progress
        self.mayCancel = mayCancel
        self.requestedBy = requestedBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.error = error
        self.result = result
    }
}

/// How far an operation has come: `done` of `total` `unit`s (total unknown while nil).
public struct OperationProgress: Codable, Sendable, Equatable {
    public var done: Int64
    public var total: Int64?
    /// `bytes` or `steps`.
    public var unit: String
    /// The current step in words, e.g. "waiting for the guest to power off".
    public var stage: String?

    public init(done: Int64, total: Int64? = nil, unit: String = "steps", stage: String? = nil) {
        self.done = done
        self.total = total
        self.unit = unit
        self.stage = stage
    }

    /// `done / total` in 0…1 when the total is known.
    public var fraction: Double? {
        guard let total, total > 0 else { return nil }
        return min(1, max(0, Double(done) / Double(total)))
    }
}
