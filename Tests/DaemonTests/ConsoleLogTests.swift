import Daemon
import Foundation
import Testing

@Suite("Console history")
struct ConsoleLogTests {
    private func temporaryPath() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("joist-console-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("console.log").path
    }

    @Test("history is bounded: it rotates at the limit and keeps at most twice the limit, newest last")
    func bounded() throws {
        let path = try temporaryPath()
        let log = ConsoleLog(path: path, limit: 100)
        for i in 0..<50 { log.append(Array(String(format: "line%04d\n", i).utf8)) }
        let history = String(decoding: log.read(), as: UTF8.self)
        #expect(history.utf8.count <= 200)
        #expect(history.hasSuffix("line0049\n"))
        #expect(!history.contains("line0000"))
        log.close()
    }

    @Test("history survives reopening, as after a daemon restart")
    func survivesRestart() throws {
        let path = try temporaryPath()
        let first = ConsoleLog(path: path, limit: 1000)
        first.append(Array("before restart\n".utf8))
        first.close()
        let second = ConsoleLog(path: path, limit: 1000)
        second.append(Array("after restart\n".utf8))
        #expect(String(decoding: ConsoleLog.history(at: path), as: UTF8.self) == "before restart\nafter restart\n")
        second.close()
    }
}
