import Foundation
import JoistTesting
import Testing

/// Network steps typed into a test guest's console. Each answer is framed by markers that never
/// appear in the echoed command (the shell expands them), and is awaited whole.
extension ConsoleProcess {
    /// Asks the DHCP server on `interface` for a lease and returns the address the guest configured,
    /// if it got one. busybox's udhcpc script also writes /etc/resolv.conf (the network's DNS server
    /// and its domain as search domain).
    func lease(on interface: String = "eth0", marker: String = "A") async -> String? {
        send("udhcpc -i \(interface) -n -q -t 10 -T 1 >/dev/null 2>&1; echo D$?\(marker)Z\n")
        guard await waitFor("D0\(marker)Z") else { return nil }
        send("echo \(marker)$(ifconfig \(interface) | sed -n 's/.*inet addr:\\([0-9.]*\\).*/\\1/p')Z\(marker)\n")
        let answer = try? Regex<(Substring, Substring)>("\(marker)(10\\.[0-9.]+)Z\(marker)")
        guard let answer, await eventually(timeout: .seconds(60), { self.output.firstMatch(of: answer) != nil }) else { return nil }
        return output.firstMatch(of: answer).map { String($0.1) }
    }

    /// Whether one ping from the guest to `address` (or a name) is answered; `marker` tells this
    /// check's answer from the others' on the same console.
    func ping(_ address: String, marker: String) async -> Bool {
        send("ping -c 1 -W 5 \(address) >/dev/null 2>&1; echo \(marker)$?\(address)Z\n")
        return await waitFor("\(marker)0\(address)Z", timeout: .seconds(30))
    }

    /// Whether a ping from the guest to `address` goes unanswered (the opposite of `ping`, waited for
    /// as its own answer, so a refusal is seen, not assumed from silence).
    func pingFails(_ address: String, marker: String) async -> Bool {
        send("ping -c 1 -W 3 \(address) >/dev/null 2>&1 || echo \(marker)X\(address)Z\n")
        return await waitFor("\(marker)X\(address)Z", timeout: .seconds(30))
    }

    /// The address `name` resolves to through the guest's resolver configuration (busybox nslookup
    /// reads /etc/resolv.conf, search domain included), if it resolves.
    func resolve(_ name: String, marker: String) async -> String? {
        send("echo \(marker)$(nslookup \(name) 2>/dev/null | sed -n '/^Name:/,$s/^Address:[[:space:]]*\\([0-9.]*\\).*/\\1/p' | head -1)Z\(marker)\n")
        let answer = try? Regex<(Substring, Substring)>("\(marker)([0-9.]*)Z\(marker)")
        guard let answer, await eventually(timeout: .seconds(60), { self.output.firstMatch(of: answer) != nil }) else { return nil }
        return output.firstMatch(of: answer).map { String($0.1) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Runs `command` in the guest and returns its output's first line, framed by `marker`. The
    /// empty quotes keep the echoed command from matching the frame.
    func answer(_ command: String, marker: String) async -> String? {
        send("echo \(marker)\"\"Q$(\(command) 2>&1 | head -1)Z\"\"\(marker)\n")
        let answer = try? Regex<(Substring, Substring)>("\(marker)Q([^\\n]*?)Z\(marker)")
        guard let answer, await eventually(timeout: .seconds(60), { self.output.firstMatch(of: answer) != nil }) else { return nil }
        return output.firstMatch(of: answer).map { String($0.1) }
    }
}

extension DaemonHarness {
    /// Creates each test guest with its `--nic` options, starts them all, attaches to each console and
    /// waits until every guest is ready; returns the consoles in the order given. The test stops when
    /// a guest never gets ready. Close them (`close(_:)`) before the daemon goes.
    func bootGuests(_ guests: [(name: String, nics: [String])], from guest: TestGuest) async throws -> [ConsoleProcess] {
        for (name, nics) in guests {
            try await createGuest(name, guest: guest, extra: nics.flatMap { ["--nic", $0] })
        }
        var consoles: [ConsoleProcess] = []
        for (name, _) in guests {
            try await succeed(["start", name])
            consoles.append(try ConsoleProcess(harness: self, instance: name))
        }
        for (name, _) in guests {
            guard try await waitForConsole(name, containing: TestGuest.readyMarker) else {
                await close(consoles)
                throw TestSetupError("guest \(name) never got ready; the daemon's log:\n\(daemonLog())")
            }
        }
        return consoles
    }

    /// Closes consoles `bootGuests` opened.
    func close(_ consoles: [ConsoleProcess]) async {
        for console in consoles { await console.close() }
    }

    /// Runs a host tool (a name in /usr/sbin or /usr/bin) inside the daemon's network namespace; the
    /// test stops unless it succeeded.
    @discardableResult
    func inDaemonNetwork(_ tool: String, _ arguments: [String]) async throws -> String {
        let path = FileManager.default.fileExists(atPath: "/usr/sbin/" + tool) ? "/usr/sbin/" + tool : "/usr/bin/" + tool
        let result = try await run(path, arguments)
        try #require(result.succeeded, "\(tool) \(arguments.joined(separator: " ")): \(result)")
        return result.stdout
    }

    /// How many rules Joist's nftables table holds (chains and the table itself not counted), and
    /// how many Joist tables exist at all.
    func joistRules() async throws -> (rules: Int, tables: Int) {
        let tables = try await inDaemonNetwork("nft", ["list", "tables"]).split(separator: "\n").filter { $0.hasSuffix(" joist") }.count
        guard tables > 0 else { return (0, 0) }
        let listing = try await inDaemonNetwork("nft", ["-a", "list", "table", "inet", "joist"])
        let rules = listing.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            $0.contains("# handle") && !$0.hasPrefix("table ") && !$0.hasPrefix("chain ")
        }
        return (rules.count, tables)
    }
}
