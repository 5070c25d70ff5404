import JoistCore

/// Joist's nftables table, and the per-bridge kernel settings its rules rely on.
extension LinuxHostNetwork {
    /// Sets each hosted bridge's `route_localnet` first (loopback-sourced forwards must already be
    /// routable when their rules appear), then runs the script with `nft -f`. The script goes
    /// through a file in a private folder, since `HostCommand` gives its children no stdin.
    public func applyRuleset(_ ruleset: NFTablesRuleset) async throws {
        for (bridge, on) in ruleset.routeLocalnet.sorted(by: { $0.key < $1.key }) {
            try await setRouteLocalnet(on, bridge: bridge)
        }
        _ = try await NetworkFiles.withPrivateFile(ruleset.script, name: "ruleset.nft") { path in
            try await check(.nft, ["-f", path], to: "apply Joist's firewall rules (table inet \(ruleset.table))")
        }
    }

    /// Maps to `sysctl -w net/ipv4/conf/BRIDGE/route_localnet=0|1` (the slash form, where a dot in
    /// an interface name would be read literally). A bridge that needs it on must exist; one that
    /// needs it off and is gone has nothing to turn off.
    private func setRouteLocalnet(_ on: Bool, bridge: String) async throws {
        let name = try Self.joistLink(bridge, prefix: LinkNames.bridgePrefix, role: "bridge")
        if !on, try await link(named: name) == nil { return }
        let setting = "net/ipv4/conf/\(name)/route_localnet"
        let output = try await run(.sysctl, ["-q", "-w", "\(setting)=\(on ? 1 : 0)"])
        guard output.succeeded else {
            let missing = output.stderr.contains("No such file") ? " (create the network's bridge before its rules)" : ""
            let purpose = on ? "for a port forward from the host's loopback" : "now that no port forward listens on loopback"
            throw JoistError.hostFailure("cannot set \(setting) \(purpose): sysctl failed: \(output.failureDetail)\(missing)")
        }
    }
}

extension LinuxHostNetwork {
    /// Asks the kernel whether it accepts `ct state` in the bridge family: `nft -c` checks a script
    /// (one probe table with a stateful bridge rule) without committing it, and a kernel without
    /// bridge connection tracking refuses it ("Protocol error"). Nothing on the host changes.
    public func tracksBridgedConnections() async throws -> Bool {
        let probe = """
            table bridge joist-probe {
            \tchain forward {
            \t\ttype filter hook forward priority filter; policy accept;
            \t\tct state established,related accept
            \t}
            }

            """
        let output = try await NetworkFiles.withPrivateFile(probe, name: "probe.nft") { path in
            try await run(.nft, ["-c", "-f", path])
        }
        return output.succeeded
    }
}
