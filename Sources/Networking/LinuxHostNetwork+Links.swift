import JoistCore

/// Reading links, and the guard that keeps Joist's changes on Joist's own links.
extension LinuxHostNetwork {
    /// The link `name` with its addresses, or nil when there is none.
    /// Maps to `ip -j -d addr show dev NAME`.
    func link(named name: String) async throws -> IPLink? {
        let output = try await run(.ip, ["-j", "-d", "addr", "show", "dev", name])
        guard output.succeeded else {
            // iproute2 has no translations, so this text is the same on every host.
            if output.stderr.contains("does not exist") { return nil }
            throw Self.failure("read link \(name)", tool: .ip, output)
        }
        return try IPLink.decodeList(output.stdout, what: "link \(name)").first { $0.name == name }
    }

    /// The links joined to `bridge`; none when the bridge is gone.
    /// Maps to `ip -j -d link show master BRIDGE`.
    func links(joinedTo bridge: String) async throws -> [IPLink] {
        let output = try await run(.ip, ["-j", "-d", "link", "show", "master", bridge])
        guard output.succeeded else {
            if output.stderr.contains("does not exist") { return [] }
            throw Self.failure("list the links of bridge \(bridge)", tool: .ip, output)
        }
        return try IPLink.decodeList(output.stdout, what: "the links of bridge \(bridge)").filter { $0.master == bridge }
    }

    /// Returns `name` when it is a valid interface name with Joist's `prefix` (`jb-`, `jt-`); throws
    /// otherwise, so no change ever reaches a link of the host's.
    @discardableResult
    static func joistLink(_ name: String, prefix: String, role: String) throws(JoistError) -> String {
        try InterfaceName.validate(name, role: role)
        guard name.hasPrefix(prefix) else {
            throw .invalidArgument("\(role) '\(name)' is not one of Joist's (theirs start with \(prefix)): Joist changes only links it made")
        }
        return name
    }
}
