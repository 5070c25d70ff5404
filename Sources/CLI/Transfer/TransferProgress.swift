import Foundation
import Synchronization

/// A progress line on standard error (a terminal only) for bytes the CLI itself moves: an upload or a
/// download. `Uploading disk.vmdk [#####-----] 50% 1.0 of 2.0 GiB`.
final class TransferProgress: Sendable {
    private struct State {
        var done: UInt64 = 0
        var drawn = ContinuousClock.now - .seconds(1)
    }

    let label: String
    let total: UInt64?
    let enabled: Bool
    private let state = Mutex(State())

    init(_ label: String, total: UInt64?, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.label = label
        self.total = total
        self.enabled = enabled
    }

    /// Counts `bytes` more and redraws, at most ten times a second.
    func advance(_ bytes: Int) {
        let line = state.withLock { state -> String? in
            state.done += UInt64(bytes)
            let now = ContinuousClock.now
            guard enabled, now - state.drawn >= .milliseconds(100) else { return nil }
            state.drawn = now
            return Self.line(label, done: state.done, total: total)
        }
        if let line { FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8)) }
    }

    /// Clears the line.
    func finish() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    static func line(_ label: String, done: UInt64, total: UInt64?, width: Int = 30) -> String {
        guard let total, total > 0 else { return "\(label) \(Human.bytes(done))" }
        let fraction = min(1, Double(done) / Double(total))
        let filled = Int((fraction * Double(width)).rounded())
        return "\(label) [" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
            + "\(Int((fraction * 100).rounded()))% \(Human.bytes(done)) of \(Human.bytes(total))"
    }
}
