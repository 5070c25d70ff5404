import Foundation
import HostKit
import Testing

@Suite("Host process liveness")
struct HostProcessTests {
    @Test("a process has exited once it is a zombie or gone, not while it runs")
    func exitedProcesses() async throws {
        #expect(HostProcess.isAlive(getpid(), nameHint: nil))
        var child: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { argv.forEach { free($0) } }
        try #require(posix_spawn(&child, "/bin/true", nil, nil, argv, environ) == 0)
        // Not reaped yet: a zombie once it has ended.
        let deadline = ContinuousClock.now + .seconds(30)
        while HostProcess.isAlive(child, nameHint: nil), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(!HostProcess.isAlive(child, nameHint: nil))
        #expect(FileManager.default.fileExists(atPath: "/proc/\(child)"), "still unreaped, so a zombie")
        var status: Int32 = 0
        waitpid(child, &status, 0)
        #expect(!HostProcess.isAlive(child, nameHint: nil))
    }
}
