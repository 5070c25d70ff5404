import Foundation
import HostKit
import JoistCore
import Synchronization
import Testing

@Suite("Host commands")
struct HostCommandTests {
    func shell(_ script: String, grace: Duration = .seconds(2), outputLimit: Int = 64 << 10) -> HostCommand {
        HostCommand("/bin/sh", ["-c", script], outputLimit: outputLimit, terminationGrace: grace)
    }

    @Test("captures the exit status, stdout and stderr")
    func capturesOutput() async throws {
        let output = try await shell("echo out; echo err >&2; exit 3").run()
        #expect(output == HostCommand.Output(status: 3, stdout: "out\n", stderr: "err\n"))
        #expect(!output.succeeded)
        #expect(try await shell("true").run().succeeded)
    }

    @Test("check turns a failure into hostFailure quoting the last lines of stderr")
    func checkQuotesStderr() async throws {
        let error = await #expect(throws: JoistError.self) {
            try await shell("echo one >&2; echo two >&2; echo three >&2; echo 'disk is full' >&2; exit 1").check("widget resize")
        }
        #expect(error == .hostFailure("widget resize failed: two; three; disk is full"))
        let silent = await #expect(throws: JoistError.self) { try await shell("exit 4").check("widget") }
        #expect(silent == .hostFailure("widget failed: exit status 4"))
        #expect(try await shell("echo fine").check("widget").stdout == "fine\n")
    }

    @Test("a missing executable is a hostFailure naming it")
    func missingExecutable() async throws {
        let error = await #expect(throws: JoistError.self) { try await HostCommand("/nonexistent/tool", []).run() }
        #expect(error == .hostFailure("cannot run /nonexistent/tool: No such file or directory"))
    }

    @Test("the child gets default signal dispositions and no descriptors beyond 0, 1 and 2")
    func cleanSlate() async throws {
        let output = try await shell("grep SigIgn /proc/$$/status; ls /proc/$$/fd").check("sh")
        let lines = output.stdout.split(separator: "\n")
        let ignored = try #require(lines.first.flatMap { UInt64($0.dropFirst("SigIgn:\t".count), radix: 16) })
        // Signals 1…31; glibc keeps its internal real-time signals (32, 33) to itself.
        #expect(ignored & 0x7FFF_FFFF == 0, "\(lines.first ?? "")")
        #expect(Array(lines.dropFirst()) == ["0", "1", "2"])
    }

    @Test("stdout is streamed while the command runs")
    func streamsStdout() async throws {
        try await withScratchFolder { folder in
            let go = folder + "/go"
            // The script prints its second part only after the test has seen the first.
            let script = "printf first; while [ ! -e '\(go)' ]; do sleep 0.05; done; printf second"
            let seen = Mutex("")
            let output = try await shell(script).check("sh") { chunk in
                let text = seen.withLock { seen in
                    seen += String(decoding: chunk, as: UTF8.self)
                    return seen
                }
                if text == "first" { _ = FileManager.default.createFile(atPath: go, contents: nil) }
            }
            #expect(seen.withLock { $0 } == "firstsecond")
            #expect(output.stdout == "firstsecond")
        }
    }

    @Test("only the end of a long output is kept")
    func boundedOutput() async throws {
        let output = try await shell("i=0; while [ $i -lt 2000 ]; do echo line$i; echo err$i >&2; i=$((i+1)); done", outputLimit: 100)
            .check("sh")
        #expect(output.stdout.utf8.count == 100)
        #expect(output.stdout.hasSuffix("line1999\n"))
        #expect(output.stderr.hasSuffix("err1999\n"))
    }

    @Test("cancelling the task terminates the child and whatever it started")
    func cancelTerminates() async throws {
        let pids = try await cancelled(shell("sleep 1000 & echo $$ $!; wait"))
        for pid in pids {
            #expect(Self.isGone(pid), "process \(pid) is still running")
        }
    }

    @Test("a child that ignores SIGTERM is killed once the grace has passed")
    func cancelEscalates() async throws {
        let pids = try await cancelled(shell("trap '' TERM; echo $$; while :; do sleep 1; done", grace: .milliseconds(200)))
        #expect(Self.isGone(try #require(pids.first)))
    }

    /// Runs `command` until it printed its pids, cancels it, expects `CancellationError` and returns them.
    func cancelled(_ command: HostCommand) async throws -> [Int32] {
        let (stream, continuation) = AsyncStream.makeStream(of: [Int32].self)
        let task = Task {
            try await command.run { chunk in
                continuation.yield(String(decoding: chunk, as: UTF8.self).split(whereSeparator: \.isWhitespace).compactMap { Int32($0) })
            }
        }
        var iterator = stream.makeAsyncIterator()
        let pids = try #require(await iterator.next())
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        return pids
    }

    /// No such process, or only its zombie waiting for a reaper (it has exited either way).
    static func isGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }

    @Test("locate finds executables in the standard folders only")
    func locate() throws {
        let sh = try #require(HostCommand.locate("sh"))
        #expect(HostCommand.searchPath.contains(URL(fileURLWithPath: sh).deletingLastPathComponent().path))
        #expect(HostCommand.locate("no-such-tool-here") == nil)
        #expect(HostCommand.locate("bin/sh") == nil)
        #expect(HostCommand.locate("") == nil)
        // /etc/passwd exists but is not executable.
        #expect(HostCommand.locate("passwd", in: ["/etc"]) == nil)
    }
}
