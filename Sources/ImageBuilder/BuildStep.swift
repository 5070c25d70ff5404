/// One checked step of a build: what it does, and the stage its progress shows.
public struct BuildStep: Sendable, Equatable {
    /// What progress reports while the step runs (`installing packages`, `converting`…).
    public var stage: String
    public var action: Action

    public init(_ stage: String, _ action: Action) {
        self.stage = stage
        self.action = action
    }

    public enum Action: Sendable, Equatable {
        /// Runs a host tool (its name, then its arguments), which must exit with status 0; `input`
        /// is a file read as its stdin.
        case run([String], input: String? = nil)
        /// Writes a file (replacing it), making its folder.
        case write(path: String, contents: String, mode: UInt16)
        /// Removes a file if it is there.
        case remove(path: String)
    }
}

extension BuildStep.Action: CustomStringConvertible {
    /// The step as a log line shows it.
    public var description: String {
        switch self {
        case .run(let argv, let input): return argv.joined(separator: " ") + (input.map { " < " + $0 } ?? "")
        case .write(let path, _, let mode): return "write \(path) (mode \(String(mode, radix: 8)))"
        case .remove(let path): return "remove \(path)"
        }
    }
}
