/// How far one stage of an image transfer has got, in bytes: what an operation's progress shows.
public struct TransferProgress: Sendable, Equatable {
    /// `downloading`, `copying`, `converting`, `hashing`.
    public var stage: String
    public var done: UInt64
    /// Nil while unknown (a download without a length).
    public var total: UInt64?

    public init(stage: String, done: UInt64, total: UInt64?) {
        self.stage = stage
        self.done = done
        self.total = total
    }

    /// `fraction` (0…1) of `total` bytes.
    public init(stage: String, fraction: Double, of total: UInt64) {
        self.init(stage: stage, done: UInt64((Double(total) * min(max(fraction, 0), 1)).rounded()), total: total)
    }
}

/// Receives progress from whatever thread does the work.
public typealias TransferProgressHandler = @Sendable (TransferProgress) -> Void
