public import JoistCore

extension HostCommand {
    /// What a finished command left: its exit status and the (bounded) end of its output.
    public struct Output: Sendable, Equatable {
        /// The exit status, or 128 + the signal number when a signal ended it.
        public var status: Int32
        public var stdout: String
        public var stderr: String

        public init(status: Int32, stdout: String, stderr: String) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
        }

        public var succeeded: Bool { status == 0 }

        /// Returns `self` when the command succeeded; otherwise throws
        /// `hostFailure("<what> failed: <the last lines of stderr>")`.
        @discardableResult
        public func check(_ what: String) throws(JoistError) -> Output {
            guard !succeeded else { return self }
            throw .hostFailure("\(what) failed: \(failureDetail)")
        }

        /// The last few non-empty lines of stderr (where tools say why), or the exit status when it is empty.
        public var failureDetail: String {
            let lines = stderr.split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            guard !lines.isEmpty else { return "exit status \(status)" }
            return lines.suffix(3).joined(separator: "; ")
        }
    }
}
