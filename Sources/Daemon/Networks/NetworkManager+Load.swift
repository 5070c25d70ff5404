import JoistAPI
import Networking

extension NetworkManager {
    /// Loads the networks' records (and their port forwards) and applies every network on the host again, exactly once: each
    /// bridge, then the one ruleset of all of them, then each hosted network's dnsmasq. The driver is
    /// idempotent, so what is already there stays as it is and what a reboot or crash removed comes
    /// back. A network that fails is logged and stays listed (so it can be looked at and deleted);
    /// the others come up regardless.
    public func load() async throws {
        let (items, _) = try await store.range(prefix: Self.prefix)
        let decoder = APICoding.decoder()
        for item in items {
            do {
                let config = try decoder.decode(NetworkConfig.self, from: item.value)
                networks[config.name] = Entry(config: config, layout: try NetworkLayout(config), revision: item.modRevision)
            } catch {
                logger.error("skipping unreadable network record \(item.key): \(error)")
            }
        }
        try await loadFirewall()
        try await loadForwards()
        await applyAll(ruleset: firewall.hasNoRules)
    }

    /// Applies every loaded network; with none, leaves the host's firewall alone. With firewall
    /// rules, the ruleset waits for the instances' NICs (`applyRulesetAfterLoad`): applied now it
    /// would lack their chains, and the table a previous daemon applied stays until then.
    private func applyAll(ruleset applyRuleset: Bool) async {
        let layouts = self.layouts
        guard !layouts.isEmpty else { return }
        var bridged: [NetworkLayout] = []
        for layout in layouts {
            do {
                try await driver.ensureBridge(layout)
                try await apply(try VLANPlan.uplink(of: layout), for: "network \(layout.name)")
                bridged.append(layout)
            } catch {
                logger.error("network \(layout.name): cannot bring up \(layout.bridge): \(error)")
            }
        }
        do {
            if applyRuleset { try await driver.applyRuleset(try rulesetAtLoad(of: layouts)) }
        } catch {
            logger.error("cannot apply the networks' nftables ruleset: \(error)")
        }
        for layout in bridged where layout.kind.isHosted {
            do {
                try makeFolder(of: layout.name)
                try await driver.ensureDNSMasq(try dnsmasqConfig(of: layout), layout: layout)
            } catch {
                logger.error("network \(layout.name): cannot start dnsmasq: \(error)")
            }
        }
        logger.info("re-applied \(layouts.count) network(s) on the host")
    }
}
