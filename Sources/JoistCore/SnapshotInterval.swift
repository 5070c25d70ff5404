/// How often scheduled snapshots are taken: a whole number of minutes, hours, days or weeks, written
/// as users write it (`30m`, `1h`, `2d`, `1w`) and stored as seconds.
public struct SnapshotInterval: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let seconds: Int64

    /// The shortest interval accepted: a snapshot takes seconds, and a schedule that fires faster than
    /// one minute would pile its operations up behind each other.
    public static let minimum = SnapshotInterval(uncheckedSeconds: 60)

    private static let units: [(suffix: Character, seconds: Int64)] = [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60)]

    init(uncheckedSeconds: Int64) { self.seconds = uncheckedSeconds }

    /// Parses `N` + `m|h|d|w`.
    public init(parsing text: String) throws(JoistError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let last = trimmed.last, let unit = Self.units.first(where: { $0.suffix == last }),
            let count = Int64(trimmed.dropLast()), count > 0, count <= 10_000
        else {
            throw .invalidArgument("invalid interval '\(text)': expected a whole number and a unit (m, h, d or w), such as 30m, 1h or 1d")
        }
        self.seconds = count * unit.seconds
        guard self >= Self.minimum else { throw .invalidArgument("interval '\(text)' is shorter than the minimum of \(Self.minimum)") }
    }

    /// The largest unit that divides the interval exactly: `90m`, `1h`, `2d`.
    public var description: String {
        for unit in Self.units where seconds % unit.seconds == 0 {
            return "\(seconds / unit.seconds)\(unit.suffix)"
        }
        return "\(seconds)s"
    }

    public static func < (a: SnapshotInterval, b: SnapshotInterval) -> Bool { a.seconds < b.seconds }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        try self.init(parsing: try container.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
