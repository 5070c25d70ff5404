import JoistCore

/// The distributions the builder knows, by the name users give (`joist image build debian-12`).
public enum Distribution: String, Codable, Sendable, CaseIterable {
    case debian12 = "debian-12"

    /// Parses a distribution name, naming the known ones when it is not one of them.
    public init(parsing name: String) throws(JoistError) {
        guard let distribution = Distribution(rawValue: name) else {
            let known = Distribution.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidArgument("cannot build '\(name)': the image builder knows \(known)")
        }
        self = distribution
    }

    /// The distribution's recipe for `architecture`, its apt sources naming `mirror`.
    public func recipe(for architecture: Architecture, mirror: String) -> Recipe {
        switch self {
        case .debian12: return .debian12(architecture: architecture, mirror: mirror)
        }
    }
}
