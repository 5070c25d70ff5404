import Foundation
import NIOHTTP1

/// Attaches a terminal to an instance's serial console: input to the guest, guest output back, until
/// the user presses the detach key, the server closes the console, or input ends (see ``InputEndPolicy``).
struct ConsoleSession: Sendable {
    /// How a session ended.
    enum Ending: Sendable, Equatable {
        /// The user pressed the detach key.
        case detached
        /// The server closed the console, e.g. because the guest powered off; nil if the connection
        /// dropped without a close frame.
        case closedByServer(WebSocketConnection.CloseReason?)
        /// Input reached end of file and the ``InputEndPolicy`` said to stop.
        case inputEnded
    }

    /// What to do when input reaches end of file, as when a script pipes commands in.
    enum InputEndPolicy: Sendable, Equatable {
        /// Keep showing output until the server closes the console.
        case waitForServer
        /// Stop once no output has arrived for this long.
        case detachWhenIdle(Duration)
    }

    /// Where joistd listens.
    let endpoint: WebSocketEndpoint
    /// The instance whose console to attach, e.g. `web-1`.
    let instance: String
    /// Extra upgrade-request headers: `Authorization` for a remote.
    var headers: HTTPHeaders = [:]
    /// The instance's project, when one was asked for (else the daemon's default for the caller).
    var project: String?
    /// Scans input for the detach key.
    var detachScanner = ConsoleDetachScanner()
    /// What to do when input ends.
    var inputEndPolicy: InputEndPolicy = .waitForServer

    /// A session for `instance`'s console at `endpoint`.
    init(endpoint: WebSocketEndpoint, instance: String, inputEndPolicy: InputEndPolicy = .waitForServer) {
        self.endpoint = endpoint
        self.instance = instance
        self.inputEndPolicy = inputEndPolicy
    }

    /// The API path of the console WebSocket.
    var path: String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove("/")
        let name = self.instance.addingPercentEncoding(withAllowedCharacters: allowed) ?? self.instance
        let query = project.map { "?project=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? ""
        return "/1.0/instances/\(name)/console" + query
    }

    /// Runs the session on the process's stdin, stdout and stderr; stdin goes raw when it is a terminal.
    ///
    /// This is what `joist console NAME` calls. Throws ``WebSocketError`` when the console cannot be opened.
    func runOnStandardStreams() async throws -> Ending {
        let outputMidLine = ConsoleLockedValue(false)
        return try await self.run(
            input: FileDescriptorStreams.input(from: STDIN_FILENO),
            output: { bytes in
                try FileDescriptorStreams.writeAll(bytes, to: STDOUT_FILENO)
                if let last = bytes.last { outputMidLine.withLock { $0 = last != UInt8(ascii: "\n") } }
            },
            notice: { text in
                // Start on a fresh line when guest output (a prompt, say) left the cursor mid-line.
                let prefix = outputMidLine.withLock { midLine in
                    defer { midLine = false }
                    return midLine ? "\r\n" : ""
                }
                try? FileDescriptorStreams.writeAll(Array("\(prefix)\(text)\r\n".utf8), to: STDERR_FILENO)
            },
            terminal: STDIN_FILENO
        )
    }

    /// Runs the session over the given streams.
    ///
    /// - Parameters:
    ///   - input: Keystrokes; scanned for the detach key, the rest forwarded to the guest.
    ///   - output: Receives guest output as it arrives.
    ///   - notice: Receives the one-line attach and detach hints (meant for stderr).
    ///   - terminal: A descriptor to put into raw mode while attached (if it is a terminal), or nil.
    func run<Input: AsyncSequence & Sendable>(
        input: Input,
        output: @escaping @Sendable ([UInt8]) async throws -> Void,
        notice: @escaping @Sendable (String) -> Void,
        terminal: Int32? = nil
    ) async throws -> Ending where Input.Element == [UInt8] {
        let ending = try await WebSocketConnection.withConnection(
            to: self.endpoint,
            path: self.path,
            headers: self.headers
        ) { connection in
            notice("Connected to \(self.instance)'s console. Press Ctrl-] to detach.")
            guard let terminal else {
                return try await self.pump(connection, input: input, output: output)
            }
            return try await RawTerminal.withRawMode(fileDescriptor: terminal) {
                try await self.pump(connection, input: input, output: output)
            }
        }
        notice(self.message(for: ending))
        return ending
    }

    /// The hint printed when the session ends.
    func message(for ending: Ending) -> String {
        switch ending {
        case .detached:
            return "Detached from \(self.instance)'s console."
        case .inputEnded:
            return "Input ended; detached from \(self.instance)'s console."
        case .closedByServer(let reason):
            guard let reason, !reason.reason.isEmpty else {
                return "\(self.instance)'s console was closed by the server."
            }
            return "\(self.instance)'s console was closed by the server: \(reason.reason)."
        }
    }

    /// Copies input to the guest and guest output to `output` until one side ends the session.
    private func pump<Input: AsyncSequence & Sendable>(
        _ connection: WebSocketConnection,
        input: Input,
        output: @escaping @Sendable ([UInt8]) async throws -> Void
    ) async throws -> Ending where Input.Element == [UInt8] {
        let lastOutput = ConsoleLockedValue(ContinuousClock.now)
        return try await withThrowingTaskGroup(of: Ending?.self) { group in
            group.addTask {
                for try await chunk in connection.bytes {
                    lastOutput.withLock { $0 = .now }
                    try await output(chunk)
                }
                return .closedByServer(connection.closeReason)
            }
            group.addTask {
                for try await chunk in input {
                    let scan = self.detachScanner.scan(chunk)
                    if !scan.forward.isEmpty { try await connection.send(scan.forward) }
                    if scan.detach { return .detached }
                }
                return try await self.waitAfterInputEnded(lastOutput: lastOutput)
            }
            // A nil result is the input side finishing without ending the session; keep waiting.
            while let result = try await group.next() {
                if let ending = result {
                    group.cancelAll()
                    return ending
                }
            }
            return .closedByServer(connection.closeReason)
        }
    }

    /// Applies the ``InputEndPolicy``: nil to keep going until the server closes, or `.inputEnded`
    /// once output has been quiet for the idle period.
    private func waitAfterInputEnded(lastOutput: ConsoleLockedValue<ContinuousClock.Instant>) async throws -> Ending? {
        switch self.inputEndPolicy {
        case .waitForServer:
            return nil
        case .detachWhenIdle(let idle):
            while true {
                let deadline = lastOutput.value.advanced(by: idle)
                if ContinuousClock.now >= deadline { return .inputEnded }
                try await Task.sleep(until: deadline, clock: .continuous)
            }
        }
    }
}
