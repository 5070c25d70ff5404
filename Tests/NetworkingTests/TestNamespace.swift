import Foundation
import HostKit
import JoistCore
import Testing

@testable import Networking

/// A network namespace of a test's own (`joist-test-<hex>`), so real links, rules and dnsmasq
/// change nothing outside it. `with` removes it afterwards, and first kills every process still in
/// it (dnsmasq, QEMU): a process would keep the namespace alive after `ip netns del`.
struct TestNamespace: Sendable {
    let name: String

    /// The driver confined to this namespace.
    var driver: LinuxHostNetwork { LinuxHostNetwork(namespace: name) }

    /// Runs `body` with `count` new namespaces, removed whether it succeeds or throws.
    static func with<T>(_ count: Int = 1, _ body: ([TestNamespace]) async throws -> T) async throws -> T {
        var created: [TestNamespace] = []
        do {
            for _ in 0..<count {
                let namespace = TestNamespace(name: "joist-test-" + Hex.lowercase((0..<5).map { _ in UInt8.random(in: 0...255) }))
                try await Self.ip(["netns", "add", namespace.name]).check("ip netns add")
                created.append(namespace)
            }
            let result = try await body(created)
            for namespace in created { await namespace.remove() }
            return result
        } catch {
            for namespace in created { await namespace.remove() }
            throw error
        }
    }

    /// Kills what runs in the namespace, then deletes it (and with it every link inside).
    private func remove() async {
        let pids = (try? await Self.ip(["netns", "pids", name]).stdout) ?? ""
        for pid in pids.split(whereSeparator: \.isNewline).compactMap({ pid_t($0) }) { kill(pid, SIGKILL) }
        _ = try? await Self.ip(["netns", "del", name])
    }

    /// `ip ARGUMENTS` in the caller's namespace.
    static func ip(_ arguments: [String]) async throws -> HostCommand.Output {
        let ip = try #require(HostCommand.locate("ip"), "ip is not installed (iproute2)")
        return try await HostCommand(ip, arguments, outputLimit: 4 << 20).run()
    }

    /// `ip -n NAME ARGUMENTS`, which must succeed; returns its stdout.
    @discardableResult
    func ip(_ arguments: String...) async throws -> String {
        let output = try await Self.ip(["-n", name] + arguments)
        try #require(output.succeeded, "ip \(arguments.joined(separator: " ")) failed: \(output.stderr)")
        return output.stdout
    }

    /// Runs `tool` (found on the host) inside the namespace, whatever its exit status.
    func exec(_ tool: String, _ arguments: [String]) async throws -> HostCommand.Output {
        let path = try #require(HostCommand.locate(tool), "\(tool) is not installed")
        let ip = try #require(HostCommand.locate("ip"))
        return try await HostCommand(ip, ["netns", "exec", name, path] + arguments, outputLimit: 4 << 20).run()
    }

    /// The link `name` as the driver reads it, or nil when it does not exist.
    func link(_ link: String) async throws -> IPLink? {
        try await driver.link(named: link)
    }

    /// What an `ip -j` listing shows of every link and IPv4 address: no counters or timers, so two
    /// snapshots differ only when something was changed.
    func snapshot() async throws -> String {
        try await ip("-j", "link", "show") + "\n" + ip("-j", "-4", "addr", "show")
    }

    /// `sysctl -w KEY=VALUE` inside the namespace. A new namespace starts with the host's IPv4
    /// settings (`devconf_inherit_init_net`), so a test that needs a known start sets it.
    func setSysctl(_ key: String, _ value: String) async throws {
        let output = try await exec("sysctl", ["-w", "\(key)=\(value)"])
        try #require(output.succeeded, "sysctl \(key)=\(value): \(output.stderr)")
    }

    /// `sysctl -n KEY` inside the namespace.
    func sysctl(_ key: String) async throws -> String {
        let output = try await exec("sysctl", ["-n", key])
        try #require(output.succeeded, "sysctl \(key): \(output.stderr)")
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
