import Foundation
import JoistTesting

/// A named network namespace of the test's own (`ip netns add jq-…`), so the tap devices and
/// bridges a test makes never touch the host's interfaces; removed with everything in it.
struct TestNetworkNamespace {
    let name: String
    let ip: String

    /// Whether the host can run the tests: root (for namespaces and links), `ip`, QEMU and qemu-img.
    static var available: Bool {
        getuid() == 0 && (try? HostTools.path(of: "ip")) != nil && HostTools.available
    }

    /// `available`, and dnsmasq for a network's DHCP.
    static var dnsmasqAvailable: Bool {
        available && (try? HostTools.path(of: "dnsmasq")) != nil
    }

    /// Runs `body` with a new namespace, and removes the namespace afterwards, whether `body` threw or not.
    static func with<T>(_ body: (TestNetworkNamespace) async throws -> T) async throws -> T {
        let namespace = TestNetworkNamespace(name: "jq-" + UUID().uuidString.prefix(8).lowercased(), ip: try HostTools.path(of: "ip"))
        try await namespace.ipCommand(["netns", "add", namespace.name])
        do {
            let result = try await body(namespace)
            try await namespace.ipCommand(["netns", "delete", namespace.name])
            return result
        } catch {
            _ = try? await namespace.ipCommand(["netns", "delete", namespace.name])
            throw error
        }
    }

    /// The argv prefix that runs a command inside the namespace.
    var exec: [String] { [ip, "netns", "exec", name] }

    /// Runs `ip ARGUMENTS` inside the namespace and returns its output; throws when it fails.
    @discardableResult
    func ip(_ arguments: [String]) async throws -> String {
        try await ipCommand(["netns", "exec", name, ip] + arguments)
    }

    /// Reads a file inside the namespace's view of `/sys` (e.g. a link's `carrier`).
    func read(_ path: String) async throws -> String {
        let cat = try HostTools.path(of: "cat")
        let result = try await CommandRunner.run(ip, ["netns", "exec", name, cat, path])
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @discardableResult
    private func ipCommand(_ arguments: [String]) async throws -> String {
        let result = try await CommandRunner.run(ip, arguments)
        guard result.succeeded else { throw TestSetupError("ip \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
        return result.stdout
    }
}
