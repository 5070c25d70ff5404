import Foundation
import HostKit
import JoistCore

/// VLANs: the kernel feature probe, and carrying out `VLANPlan`s with `ip` and `bridge`.
extension LinuxHostNetwork {
    /// Tries each feature in a network namespace of its own (`unshare --net`), which the kernel
    /// removes when `ip` exits: a scratch bridge that is told to filter by VLAN, and a VLAN link on
    /// a scratch bridge, as one `ip -batch` each (no shell). A feature counts only when the kernel
    /// then reports it as set; otherwise what `ip` printed is kept as the reason.
    public func probeFeatures() async -> HostNetworkFeatures {
        var missing: [HostNetworkFeature: String] = [:]
        for feature in HostNetworkFeature.allCases {
            if let problem = await probe(feature) { missing[feature] = problem }
        }
        return HostNetworkFeatures(missing: missing)
    }

    /// The constant `ip -batch` input the probe runs (nothing of anyone's reaches it); its last
    /// command shows the link the feature made.
    static func probeBatch(_ feature: HostNetworkFeature) -> String {
        switch feature {
        case .bridgeVLANFiltering:
            "link add name probe type bridge\nlink set dev probe type bridge vlan_filtering 1\nlink show dev probe\n"
        case .vlanInterfaces:
            "link add name probe type bridge\nlink add link probe name probe.10 type vlan id 10\nlink show dev probe.10\n"
        }
    }

    /// Nil when the kernel has `feature`; what went wrong otherwise.
    private func probe(_ feature: HostNetworkFeature) async -> String? {
        do {
            guard let ip = HostCommand.locate(Tool.ip.rawValue) else { return "ip is not installed" }
            let output = try await NetworkFiles.withPrivateFile(Self.probeBatch(feature), name: "probe.batch") { path in
                try await run(.unshare, ["--net", "--", ip, "-j", "-d", "-batch", path])
            }
            guard output.succeeded else {
                // `ip -batch` adds "Command failed FILE:LINE", which says nothing to a user.
                let lines = output.stderr.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty && !$0.hasPrefix("Command failed") }
                return lines.isEmpty ? output.failureDetail : lines.joined(separator: "; ")
            }
            let link = try IPLink.decodeList(output.stdout, what: "the probe's link").first
            switch feature {
            case .bridgeVLANFiltering where link?.filtersVLANs == true: return nil
            case .vlanInterfaces where link?.kind == "vlan" && link?.info?.vlanID == 10: return nil
            default: return "the kernel accepted the change but does not report it"
            }
        } catch {
            return "cannot probe: \(error)"
        }
    }

    public func applyVLANPlan(_ plan: VLANPlan) async throws {
        for step in plan.steps { try await apply(step) }
    }

    private func apply(_ step: VLANPlan.Step) async throws {
        switch step {
        case .enableFiltering(let bridge):
            let bridge = try Self.joistLink(bridge, prefix: LinkNames.bridgePrefix, role: "bridge")
            guard try await link(named: bridge)?.filtersVLANs != true else { return }
            try await run(step, to: "turn on VLAN filtering on bridge \(bridge)")
        case .requireFiltering(let bridge):
            guard let link = try await link(named: bridge), link.isBridge else {
                throw JoistError.notFound("bridge \(bridge) does not exist on this host")
            }
            guard link.filtersVLANs else {
                throw JoistError.invalidState(
                    "the host's bridge \(bridge) does not filter by VLAN, so NICs with VLANs on it would not be kept apart: "
                        + "turn it on (ip link set dev \(bridge) type bridge vlan_filtering 1), or use a network with a --vlan")
            }
        case .addVLANLink(let uplink):
            try await addVLANLink(uplink, step)
        case .joinBridge(let name, let bridge):
            let name = try Self.joistLink(name, prefix: LinkNames.vlanPrefix, role: "VLAN interface")
            let existing = try await link(named: name)
            guard existing?.master != bridge || existing?.isUp != true else { return }
            try await run(step, to: "join \(name) to bridge \(bridge)")
        case .deleteLink(let name):
            let name = try Self.joistLink(name, prefix: LinkNames.vlanPrefix, role: "VLAN interface")
            guard try await link(named: name) != nil else { return }
            try await run(step, to: "delete \(name)")
        case .addVLAN(let port, let id, _):
            try Self.joistLink(port, prefix: LinkNames.tapPrefix, role: "tap device")
            // Adding a membership that exists only sets its flags again.
            try await run(step, to: "add \(port) to VLAN \(id)")
        case .deleteVLAN(let port, let id):
            try Self.joistLink(port, prefix: LinkNames.tapPrefix, role: "tap device")
            let output = try await run(tool(of: step), Array(step.command.dropFirst()))
            // A port already out of the VLAN (a tap joined before, re-applied) is done.
            guard output.succeeded || output.stderr.contains("No such file or directory") else {
                throw Self.failure("take \(port) out of VLAN \(id)", tool: tool(of: step), output)
            }
        }
    }

    /// Makes the VLAN sub-interface, unless it is there with the right id; its parent must exist.
    private func addVLANLink(_ uplink: VLANUplink, _ step: VLANPlan.Step) async throws {
        let name = try Self.joistLink(uplink.name, prefix: LinkNames.vlanPrefix, role: "VLAN interface")
        if let existing = try await link(named: name) {
            guard existing.kind == "vlan", existing.info?.vlanID == uplink.id else {
                throw JoistError.alreadyExists(
                    "cannot create VLAN interface \(name): a \(existing.kind ?? "network") link has that name; remove it (ip link del \(name))")
            }
            return
        }
        guard try await link(named: uplink.parent) != nil else {
            throw JoistError.notFound(
                "cannot create VLAN \(uplink.id) on \(uplink.parent): the host has no interface \(uplink.parent)")
        }
        try await run(step, to: "create VLAN interface \(name) (VLAN \(uplink.id) of \(uplink.parent))")
    }

    private func tool(of step: VLANPlan.Step) -> Tool {
        step.command.first == "bridge" ? .bridge : .ip
    }

    private func run(_ step: VLANPlan.Step, to action: String) async throws {
        try await check(tool(of: step), Array(step.command.dropFirst()), to: action)
    }
}
