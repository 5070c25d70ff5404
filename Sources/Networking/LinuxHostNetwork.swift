import HostKit
import JoistCore

/// The `HostNetworkDriver` of a Linux host: links through iproute2 (`ip -j` to read, `ip link`/`ip
/// addr`/`ip tuntap` to change), the firewall through `nft -f`, kernel settings through `sysctl`, and
/// one daemonized dnsmasq per hosted network.
///
/// Every change first reads what is there and does only what is missing, so applying twice runs no
/// changing command the second time. Links it creates or deletes always carry Joist's prefixes
/// (`LinkNames`): a host's own interfaces are read, never changed.
///
/// With `namespace`, every tool runs through `ip netns exec NAMESPACE`, so the driver sees and
/// changes only that network namespace: tests confine it that way. joistd uses the host's own
/// namespace (nil). Process checks read `/proc` and signal directly: `ip netns exec` shares the
/// host's pid namespace, so the pids in dnsmasq's pid files are valid here.
public struct LinuxHostNetwork: HostNetworkDriver {
    /// The network namespace every tool runs in, or nil for the caller's own.
    public let namespace: String?

    public init(namespace: String? = nil) {
        self.namespace = namespace
    }

    /// The host tools the driver runs, with the package a missing one comes from.
    enum Tool: String, Sendable {
        case ip, bridge, nft, sysctl, dnsmasq, unshare

        var package: String {
            switch self {
            case .ip, .bridge: "iproute2"
            case .unshare: "util-linux"
            case .nft: "nftables"
            case .sysctl: "procps"
            case .dnsmasq: "dnsmasq-base"
            }
        }
    }

    /// Runs `tool` with `arguments` (in the namespace, if any) and returns what it left, whatever
    /// its exit status. `ip -j` listings get a larger output bound than the default, since a host
    /// with hundreds of taps prints that much JSON.
    func run(_ tool: Tool, _ arguments: [String], outputLimit: Int = 4 << 20) async throws -> HostCommand.Output {
        try await command(tool, arguments, outputLimit: outputLimit).run()
    }

    /// Runs `tool` and throws `hostFailure("cannot <action>: <tool's stderr>")` unless it succeeds.
    @discardableResult
    func check(_ tool: Tool, _ arguments: [String], to action: String) async throws -> HostCommand.Output {
        let output = try await run(tool, arguments)
        guard output.succeeded else { throw Self.failure(action, tool: tool, output) }
        return output
    }

    /// The error for a tool that failed: what Joist tried, what the tool said, and a hint where the
    /// usual cause is known.
    static func failure(_ action: String, tool: Tool, _ output: HostCommand.Output) -> JoistError {
        let hint = output.stderr.contains("Operation not permitted")
            ? "; joistd needs to run as root (CAP_NET_ADMIN) to change the host's networks" : ""
        return .hostFailure("cannot \(action): \(tool.rawValue) failed: \(output.failureDetail)\(hint)")
    }

    private func command(_ tool: Tool, _ arguments: [String], outputLimit: Int) throws(JoistError) -> HostCommand {
        guard let executable = HostCommand.locate(tool.rawValue) else {
            throw JoistError(.unsupported, "\(tool.rawValue) is not installed: install \(tool.package) (scripts/install-deps)")
        }
        guard let namespace else { return HostCommand(executable, arguments, outputLimit: outputLimit) }
        guard let ip = HostCommand.locate(Tool.ip.rawValue) else {
            throw JoistError(.unsupported, "ip is not installed: install iproute2 (scripts/install-deps)")
        }
        return HostCommand(ip, ["netns", "exec", try Self.validateNamespace(namespace), executable] + arguments, outputLimit: outputLimit)
    }

    /// Namespace names become a file name under /run/netns: no `/`, not `.` or `..`, printable ASCII.
    static func validateNamespace(_ name: String) throws(JoistError) -> String {
        let printable = name.utf8.allSatisfy { (0x21...0x7e).contains($0) && $0 != UInt8(ascii: "/") }
        guard !name.isEmpty, name != ".", name != "..", printable else {
            throw .invalidArgument("network namespace name '\(name)' must be printable ASCII without '/'")
        }
        return name
    }
}
