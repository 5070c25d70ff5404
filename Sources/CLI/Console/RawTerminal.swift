#if canImport(Glibc)
import Glibc

/// Puts a terminal into raw mode for the length of a call and restores it on every way out:
/// return, thrown error, cancellation, and SIGINT/SIGTERM/SIGHUP/SIGQUIT sent from outside (or
/// SIGPIPE from a closed output pipe), unless the process ignores that signal.
///
/// In raw mode the keyboard sends Ctrl-C and Ctrl-Z as bytes (for the guest) rather than signals,
/// so the signals handled here come from `kill` or a closing terminal. Calls must not overlap.
enum RawTerminal {
    /// Signals that would otherwise kill the process with the terminal still raw.
    private static let terminatingSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE]

    /// Runs `body` with `fileDescriptor` in raw mode; when it is not a terminal (a pipe or file in
    /// scripts and tests), runs `body` unchanged.
    static func withRawMode<Result>(
        fileDescriptor: Int32 = STDIN_FILENO,
        _ body: () async throws -> Result
    ) async throws -> Result {
        var original = termios()
        guard isatty(fileDescriptor) == 1, tcgetattr(fileDescriptor, &original) == 0 else {
            return try await body()
        }
        var raw = original
        cfmakeraw(&raw)
        signalRestoreState = SignalRestoreState(fileDescriptor: fileDescriptor, termios: original)
        let previousActions = Self.installSignalHandlers()
        _ = tcsetattr(fileDescriptor, TCSANOW, &raw)
        defer {
            _ = tcsetattr(fileDescriptor, TCSANOW, &original)
            Self.restoreSignalHandlers(previousActions)
            signalRestoreState = nil
        }
        return try await body()
    }

    /// Installs the restoring handler for each terminating signal the process does not ignore
    /// (`nohup` ignores SIGHUP, for one); returns the actions it replaced.
    private static func installSignalHandlers() -> [Int32: sigaction] {
        var previous: [Int32: sigaction] = [:]
        for signalNumber in Self.terminatingSignals {
            var current = sigaction()
            guard sigaction(signalNumber, nil, &current) == 0, !Self.isIgnored(current) else { continue }
            var action = sigaction()
            action.__sigaction_handler.sa_handler = restoreTerminalAndReraise
            // Reset to the default action on entry, so re-raising from the handler terminates as usual.
            action.sa_flags = Int32(truncatingIfNeeded: SA_RESETHAND)  // 0x80000000: the sign bit of the C int
            sigemptyset(&action.sa_mask)
            var old = sigaction()
            if sigaction(signalNumber, &action, &old) == 0 {
                previous[signalNumber] = old
            }
        }
        return previous
    }

    /// Whether `action` is `SIG_IGN`, which C spells as the handler address 1.
    private static func isIgnored(_ action: sigaction) -> Bool {
        guard let handler = action.__sigaction_handler.sa_handler else { return false }
        return unsafeBitCast(handler, to: Int.self) == 1
    }

    /// Puts back the signal actions that were in place before raw mode.
    private static func restoreSignalHandlers(_ previous: [Int32: sigaction]) {
        for (signalNumber, action) in previous {
            var action = action
            _ = sigaction(signalNumber, &action, nil)
        }
    }
}

/// The terminal settings a signal handler restores.
private struct SignalRestoreState {
    let fileDescriptor: Int32
    var termios: termios
}

/// The state `restoreTerminalAndReraise` reads. A C signal handler cannot capture context, so this is
/// a global: written only before the handlers are installed and after they are removed, read only by
/// the handler, which then calls nothing but async-signal-safe functions (`tcsetattr`, `raise`).
nonisolated(unsafe) private var signalRestoreState: SignalRestoreState?

/// Restores the saved terminal settings, then re-raises the signal under its default action.
private func restoreTerminalAndReraise(_ signalNumber: Int32) {
    if var state = signalRestoreState {
        _ = tcsetattr(state.fileDescriptor, TCSANOW, &state.termios)
    }
    raise(signalNumber)
}
#else
/// Raw terminal mode is implemented for Linux (Glibc) only; elsewhere the terminal is left as is.
enum RawTerminal {
    /// Runs `body` without changing the terminal.
    static func withRawMode<Result>(
        fileDescriptor: Int32 = 0,
        _ body: () async throws -> Result
    ) async throws -> Result {
        try await body()
    }
}
#endif
