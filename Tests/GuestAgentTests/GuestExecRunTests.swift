import Foundation
import GuestAgent
import JoistTesting
import Logging
import QMP
import Synchronization
import Testing

/// `run`, `push` and `pull` against a fake agent that keeps files and processes in memory.
@Suite("Guest commands and file copies through a fake agent")
struct GuestExecRunTests {
    let logger = Logger(label: "test")

    /// What the fake guest holds: files by path, and what each guest-exec asked for.
    final class Guest: Sendable {
        struct State {
            var files: [String: [UInt8]] = [:]
            var handles: [Int: (path: String, offset: Int)] = [:]
            var execs: [JSONValue] = []
            var statusPolls = 0
            var writes = 0
            var reads = 0
        }
        let state = Mutex(State())
        /// How many status polls a process stays running; nil: forever.
        let runningPolls: Int?
        let exit: JSONValue

        init(runningPolls: Int? = 0, exit: JSONValue = ["exited": true, "exitcode": 0]) {
            self.runningPolls = runningPolls
            self.exit = exit
        }

        func reply(_ name: String, _ arguments: JSONValue?) -> FakeGuestAgent.Reply {
            state.withLock { state in
                switch name {
                case "guest-exec":
                    state.execs.append(arguments ?? .null)
                    let argv = (arguments?["arg"]?.arrayValue ?? []).compactMap(\.stringValue)
                    // The copy's finishing step: `sh -c 'chmod … && mv …' sh MODE TMP PATH`.
                    if argv.count == 6, argv[1].contains("mv -f") {
                        state.files[argv[5]] = state.files.removeValue(forKey: argv[4])
                    }
                    return .value(["pid": 42])
                case "guest-exec-status":
                    state.statusPolls += 1
                    if let runningPolls, state.statusPolls > runningPolls { return .value(exit) }
                    return .value(["exited": false])
                case "guest-file-open":
                    let path = arguments?["path"]?.stringValue ?? ""
                    if arguments?["mode"]?.stringValue == "w" {
                        state.files[path] = []
                    } else if state.files[path] == nil {
                        return .error("GenericError", "failed to open file '\(path)' (mode: 'r'): No such file or directory")
                    }
                    let handle = 1000 + state.handles.count
                    state.handles[handle] = (path, 0)
                    return .value(.number(Double(handle)))
                case "guest-file-write":
                    let handle = arguments?["handle"]?.intValue ?? 0
                    let bytes = Array(Data(base64Encoded: arguments?["buf-b64"]?.stringValue ?? "") ?? Data())
                    guard let open = state.handles[handle] else { return .error("GenericError", "bad handle") }
                    state.files[open.path, default: []] += bytes
                    state.writes += 1
                    return .value(["count": .number(Double(bytes.count)), "eof": false])
                case "guest-file-read":
                    let handle = arguments?["handle"]?.intValue ?? 0
                    let count = arguments?["count"]?.intValue ?? 0
                    guard let open = state.handles[handle], let file = state.files[open.path] else { return .error("GenericError", "bad handle") }
                    let chunk = Array(file[open.offset..<min(file.count, open.offset + count)])
                    state.handles[handle] = (open.path, open.offset + chunk.count)
                    state.reads += 1
                    return .value([
                        "count": .number(Double(chunk.count)), "buf-b64": .string(Data(chunk).base64EncodedString()),
                        "eof": .bool(open.offset + chunk.count >= file.count),
                    ])
                case "guest-file-close":
                    state.handles.removeValue(forKey: arguments?["handle"]?.intValue ?? 0)
                    return .value([:])
                default:
                    return .value([:])
                }
            }
        }
    }

    func withAgent<T>(_ guest: Guest, _ body: (GuestAgentClient) async throws -> T) async throws -> T {
        let fake = try await FakeGuestAgent.start { guest.reply($0, $1) }
        let client = try await GuestAgentClient.connect(path: fake.socketPath, logger: logger)
        defer { Task { await client.close(); await fake.shutdown() } }
        return try await body(client)
    }

    @Test("a command's exit code, signal and both streams come back once it has exited")
    func exitStatus() async throws {
        let guest = Guest(runningPolls: 3, exit: ["exited": true, "exitcode": 3, "out-data": "b3V0Cg==", "err-data": "ZXJyCg=="])
        let status = try await withAgent(guest) { agent in
            try await agent.run(try GuestCommand(command: ["sh", "-c", "exit 3"]), timeout: hangTimeout)
        }
        #expect(status.exitCode == 3 && status.signal == nil)
        #expect(status.stdout == Array("out\n".utf8) && status.stderr == Array("err\n".utf8))
        #expect(guest.state.withLock { $0.statusPolls } == 4)
        let killed = try await withAgent(Guest(exit: ["exited": true, "signal": 9])) { agent in
            try await agent.run(try GuestCommand(command: ["sleep", "9"]), timeout: hangTimeout)
        }
        #expect(killed.signal == 9 && killed.exitCode == nil)
    }

    @Test("cwd, environment and input reach guest-exec as arguments")
    func wrapping() async throws {
        let guest = Guest()
        _ = try await withAgent(guest) { agent in
            try await agent.run(
                try GuestCommand(command: ["cat"], environment: ["A": "1"], cwd: "/srv"), input: Array("hi".utf8), timeout: hangTimeout)
        }
        let request = try #require(guest.state.withLock { $0.execs.first })
        #expect(request["path"]?.stringValue == "/bin/sh")
        #expect(request["arg"]?.arrayValue?.compactMap(\.stringValue) == ["-c", GuestCommand.changeDirectoryScript, "sh", "/srv", "cat"])
        #expect(request["env"]?.arrayValue?.compactMap(\.stringValue) == ["A=1", GuestCommand.defaultPath])
        #expect(request["input-data"]?.stringValue == "aGk=")
        #expect(request["capture-output"]?.boolValue == true)
    }

    @Test("a command still running at the deadline is a GuestExecTimeout naming its pid, after bounded polling")
    func timeout() async throws {
        let guest = Guest(runningPolls: nil)
        await #expect(throws: GuestExecTimeout(pid: 42, waited: .milliseconds(300))) {
            _ = try await withAgent(guest) { agent in
                try await agent.run(try GuestCommand(command: ["sleep", "100"]), timeout: .milliseconds(300), maximumPollInterval: .milliseconds(50))
            }
        }
        // Polled at least once, and no more often than the backoff allows (a busy loop polls thousands of times).
        #expect((1...40).contains(guest.state.withLock { $0.statusPolls }))
    }

    @Test("push writes whole chunks to a temporary that replaces the file at the end; pull reads it back in chunks")
    func chunkedCopies() async throws {
        let guest = Guest()
        let bytes = (0..<2500).map { UInt8(truncatingIfNeeded: $0 * 31) }
        // Uneven pieces, as a request body arrives.
        let pieces = stride(from: 0, to: bytes.count, by: 700).map { Array(bytes[$0..<min(bytes.count, $0 + 700)]) }
        var pulled: [UInt8] = []
        try await withAgent(guest) { agent in
            let written = try await agent.push(AsyncStream { continuation in
                pieces.forEach { continuation.yield($0) }
                continuation.finish()
            }, to: "/etc/motd", mode: 0o600, chunkSize: 1000)
            #expect(written == bytes.count)
            let read = try await agent.pull("/etc/motd", chunkSize: 1000) { pulled += $0 }
            #expect(read == bytes.count)
        }
        #expect(pulled == bytes)
        let state = guest.state.withLock { $0 }
        #expect(state.files.keys.sorted() == ["/etc/motd"], "the temporary was renamed")
        #expect(state.writes == 3 && state.reads == 3)
        let arguments = state.execs.last?["arg"]?.arrayValue ?? []
        let finish = arguments.compactMap(\.stringValue)
        try #require(finish.count == 6, "\(arguments)")
        #expect(finish[3] == "600" && finish[4].hasPrefix("/etc/.joist-tmp-") && finish[5] == "/etc/motd")
        #expect(state.handles.isEmpty, "every handle closed")
    }

    @Test("pulling a missing file fails with the agent's reason before any chunk")
    func missingFile() async throws {
        await #expect(throws: GuestAgentError.self) {
            try await withAgent(Guest()) { agent in
                _ = try await agent.pull("/nope", opened: { Issue.record("opened a missing file") }) { _ in }
            }
        }
    }
}
