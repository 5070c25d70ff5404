import Foundation
import JoistTesting

/// The shell on a test guest's serial console (`joist console NAME`), for commands whose answer is
/// a line the command prints between markers. The markers are split in the command's text (the
/// console echoes what is typed), so only the answer matches; answers are looked for only in what
/// arrived after the command was sent.
final class GuestShell: @unchecked Sendable {
    // @unchecked: used by the one benchmark task that made it.
    let name: String
    private let console: ConsoleProcess
    /// How much of the console's output earlier answers have used up.
    private var consumed = 0

    init(joist: DaemonHarness, instance: String) throws {
        name = instance
        console = try ConsoleProcess(harness: joist, instance: instance)
    }

    /// Sends `command` and returns the captures of `answer`'s first match in the output that follows.
    func run(_ command: String, answer: Regex<AnyRegexOutput>, timeout: Duration = .seconds(60)) async throws -> [String] {
        send(command)
        return try await wait(for: answer, timeout: timeout, after: command)
    }

    /// Types `command` and a newline, without waiting for anything.
    func send(_ command: String) {
        consumed = console.output.utf8.count
        console.send(command + "\n")
    }

    /// The captures of `answer`'s first match in what arrived since the last `send`.
    func wait(for answer: Regex<AnyRegexOutput>, timeout: Duration, after command: String) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let output = String(decoding: console.output.utf8.dropFirst(consumed), as: UTF8.self)
            if let match = output.firstMatch(of: answer) {
                return match.output.dropFirst().map { $0.substring.map(String.init) ?? "" }
            }
            guard ContinuousClock.now < deadline else {
                throw BenchError("guest \(name) did not answer '\(command)' within \(timeout); its console ends with: \(output.suffix(1500))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Configures `interface` by DHCP (`udhcpc`) and returns the IPv4 address it got.
    func lease(_ interface: String) async throws -> String {
        let answer = try await run(
            "udhcpc -i \(interface) -n -q -t 10 -T 1 >/dev/null 2>&1; "
                + "echo L\"\"$?:$(ifconfig \(interface) | sed -n 's/.*inet addr:\\([0-9.]*\\).*/\\1/p')Z",
            answer: try Regex(#"L(\d+):([0-9.]*)Z"#))
        guard answer[0] == "0", !answer[1].isEmpty else {
            throw BenchError("guest \(name) got no DHCP lease on \(interface) (udhcpc exit \(answer[0]))")
        }
        return answer[1]
    }

    func close() async { await console.close() }
}
