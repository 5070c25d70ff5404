import Foundation

/// A long-running `joist` process (`console NAME`, `monitor`, …) with a pipe for keystrokes and a file
/// collecting what it prints.
public final class ConsoleProcess: @unchecked Sendable {
    // @unchecked: used by one test at a time; Process and FileHandle are not Sendable.
    private let process = Process()
    private let input = Pipe()
    private let outputPath: String

    public convenience init(harness: DaemonHarness, instance: String) throws {
        try self.init(harness: harness, arguments: ["--socket", harness.socketPath, "console", instance])
    }

    /// Runs `joist ARGUMENTS…` (no socket added), with `environment` added to this process's.
    public init(harness: DaemonHarness, arguments: [String], environment: [String: String] = [:]) throws {
        outputPath = harness.stateDirectory + "/joist-\(UUID().uuidString).out"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.executableURL = URL(fileURLWithPath: harness.joist)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        try? output.close()
    }

    /// Types `text` into the console.
    public func send(_ text: String) {
        input.fileHandleForWriting.write(Data(text.utf8))
    }

    /// Everything printed so far.
    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// Waits until the output contains `text`; returns whether it did within `timeout`.
    public func waitFor(_ text: String, timeout: Duration = .seconds(60)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if output.contains(text) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return output.contains(text)
    }

    /// Waits for the process to end on its own; returns its exit status, or nil on timeout.
    public func waitForExit(timeout: Duration = .seconds(30)) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !process.isRunning { return process.terminationStatus }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Detaches (Ctrl-]) and makes sure the process is gone.
    public func close() async {
        if process.isRunning {
            send("\u{1d}")
            try? input.fileHandleForWriting.close()
            if await waitForExit(timeout: .seconds(5)) == nil { process.terminate() }
        }
    }
}
