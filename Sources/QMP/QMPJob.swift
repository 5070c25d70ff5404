/// A background job QEMU runs (`snapshot-save`, `snapshot-load`, `snapshot-delete`, block jobs),
/// as QMP `query-jobs` describes it.
public struct QMPJob: Sendable, Hashable {
    public var id: String
    /// `created`, `running`, `paused`, `waiting`, `pending`, `aborting`, `concluded`, `null`, …
    public var status: String
    /// Work done so far, in units only comparable with `totalProgress`.
    public var currentProgress: Int64
    public var totalProgress: Int64
    /// Why the job failed, once it has concluded with an error.
    public var error: String?

    public init(id: String, status: String, currentProgress: Int64 = 0, totalProgress: Int64 = 0, error: String? = nil) {
        self.id = id
        self.status = status
        self.currentProgress = currentProgress
        self.totalProgress = totalProgress
        self.error = error
    }

    /// Whether the job has finished and waits to be dismissed.
    public var isConcluded: Bool { status == "concluded" || status == "null" }

    /// Reads one element of `query-jobs`' answer.
    init?(_ value: JSONValue) {
        guard let id = value["id"]?.stringValue, let status = value["status"]?.stringValue else { return nil }
        self.init(
            id: id, status: status, currentProgress: Int64(value["current-progress"]?.doubleValue ?? 0),
            totalProgress: Int64(value["total-progress"]?.doubleValue ?? 0), error: value["error"]?.stringValue)
    }
}
