import Foundation
import JoistTesting
import Testing

#if canImport(CLIConsole)
@testable import CLIConsole
#else
@testable import CLI
#endif

@Suite("Console session")
struct ConsoleSessionTests {
    /// What a session wrote to its output and notice streams.
    final class Transcript: Sendable {
        private let outputBytes = ConsoleLockedValue<[UInt8]>([])
        private let noticeLines = ConsoleLockedValue<[String]>([])

        var output: String { String(decoding: self.outputBytes.value, as: UTF8.self) }
        var notices: [String] { self.noticeLines.value }

        func write(_ bytes: [UInt8]) { self.outputBytes.withLock { $0 += bytes } }
        func notice(_ line: String) { self.noticeLines.withLock { $0.append(line) } }
    }

    @Test("Ctrl-] detaches without sending 0x1d to the guest")
    func detach() async throws {
        try await ConsoleTestServer.withServer { server in
            let transcript = Transcript()
            let (input, keyboard) = AsyncStream<[UInt8]>.makeStream()
            keyboard.yield(Array("ab".utf8) + [0x1d] + Array("cd".utf8))
            let ending = try await ConsoleSession(endpoint: server.endpoint, instance: "web-1").run(
                input: input,
                output: { transcript.write($0) },
                notice: { transcript.notice($0) }
            )
            #expect(ending == .detached)
            #expect(await eventually { await server.hub.detachedCount == 1 })
            #expect(await server.hub.input == Array("ab".utf8))
            #expect(
                transcript.notices == [
                    "Connected to web-1's console. Press Ctrl-] to detach.",
                    "Detached from web-1's console.",
                ]
            )
        }
    }

    @Test("a server-side close ends the session with the server's reason")
    func serverClose() async throws {
        try await ConsoleTestServer.withServer { server in
            let transcript = Transcript()
            let (input, keyboard) = AsyncStream<[UInt8]>.makeStream()
            let session = ConsoleSession(endpoint: server.endpoint, instance: "web-1")
            async let ending = session.run(
                input: input,
                output: { transcript.write($0) },
                notice: { transcript.notice($0) }
            )
            keyboard.yield(Array("poweroff\n".utf8))
            #expect(await eventually { transcript.output == "POWEROFF\n" })
            await server.hub.powerOff(reason: "instance web-1 stopped")
            let result = try await ending
            #expect(result == .closedByServer(.init(code: .normalClosure, reason: "instance web-1 stopped")))
            #expect(transcript.notices.last == "web-1's console was closed by the server: instance web-1 stopped.")
        }
    }

    @Test("piped input that ends keeps showing output until it goes quiet")
    func pipedInput() async throws {
        try await ConsoleTestServer.withServer { server in
            let transcript = Transcript()
            let pipe = Pipe()
            try pipe.fileHandleForWriting.write(contentsOf: Data("uname\n".utf8))
            try pipe.fileHandleForWriting.close()
            let session = ConsoleSession(
                endpoint: server.endpoint,
                instance: "web-1",
                // Long enough for the echo to come back on a busy host.
                inputEndPolicy: .detachWhenIdle(.seconds(2))
            )
            let ending = try await session.run(
                input: FileDescriptorStreams.input(from: pipe.fileHandleForReading.fileDescriptor),
                output: { transcript.write($0) },
                notice: { transcript.notice($0) }
            )
            #expect(ending == .inputEnded)
            #expect(transcript.output == "UNAME\n")
        }
    }

    @Test("piped input that ends waits for the server by default")
    func pipedInputWaitsForServer() async throws {
        try await ConsoleTestServer.withServer { server in
            let transcript = Transcript()
            let (input, keyboard) = AsyncStream<[UInt8]>.makeStream()
            keyboard.yield(Array("halt\n".utf8))
            keyboard.finish()
            async let ending = ConsoleSession(endpoint: server.endpoint, instance: "web-1").run(
                input: input,
                output: { transcript.write($0) },
                notice: { transcript.notice($0) }
            )
            #expect(await eventually { transcript.output == "HALT\n" })
            await server.hub.powerOff(reason: "")
            let result = try await ending
            #expect(result == .closedByServer(.init(code: .normalClosure, reason: "")))
            #expect(transcript.notices.last == "web-1's console was closed by the server.")
        }
    }

    @Test("an unknown instance fails before attaching, with the API's message")
    func unknownInstance() async throws {
        try await ConsoleTestServer.withServer(upgrades: false) { server in
            let transcript = Transcript()
            let error = await #expect(throws: WebSocketError.self) {
                try await ConsoleSession(endpoint: server.endpoint, instance: "web-9").run(
                    input: AsyncStream<[UInt8]> { $0.finish() },
                    output: { transcript.write($0) },
                    notice: { transcript.notice($0) }
                )
            }
            #expect(error?.description == "instance web-9 not found")
            #expect(transcript.notices.isEmpty)
        }
    }

    @Test("the console path percent-encodes the instance name")
    func path() {
        let session = ConsoleSession(endpoint: .unixSocket(path: "/run/joist/joist.sock"), instance: "a/b c")
        #expect(session.path == "/1.0/instances/a%2Fb%20c/console")
        #expect(ConsoleSession(endpoint: .unixSocket(path: "/x"), instance: "web-1").path == "/1.0/instances/web-1/console")
    }
}
