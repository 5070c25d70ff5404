import JoistAPI
import Networking

extension NetworkManager {
    /// Loads the networks' records (and their port forwards) and applies every network on the host again, exactly once: each
    /// bridge, then the one ruleset of all of them, then each hosted network's dnsmasq. The driver is
    /// idempotent, so what is already there stays as it is and what a reboot or crash removed comes
    /// back. A network that fails is logged and stays listed (so it can be looked at and deleted);
    /// the others come up regardless.
    ///
    /// With `deferringToInstances`, the dnsmasqs wait for `startDNSMasq(reservations:)` and the
    /// ruleset for `applyRulesetAfterLoad()`: a daemon loads its networks before its instances, and
    /// a dnsmasq started in between would serve, however briefly, without the instances'
    /// reservations, and a ruleset applied in between would lack their firewall chains and have to
    /// be applied again once port forwards follow their instances. The daemon applies it once.
    public func load(deferringToInstances deferring: Bool = false) async throws {
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
        await applyAll(ruleset: !deferring && firewall.hasNoRules, deferringDNSMasq: deferring)
    }

    /// Applies every loaded network; with none, leaves the host's firewall alone. With firewall
    /// rules, the ruleset waits for the instances' NICs (`applyRulesetAfterLoad`): applied now it
    /// would lack their chains, and the table a previous daemon applied stays until then.
    private func applyAll(ruleset applyRuleset: Bool, deferringDNSMasq: Bool) async {
        let layouts = self.layouts
        guard !layouts.isEmpty else { return }
        awaitingRuleset = !applyRuleset
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
            if deferringDNSMasq {
                awaitingDNSMasq.insert(layout.name)
                continue
            }
            do {
                try makeFolder(of: layout.name)
                try await driver.ensureDNSMasq(try dnsmasqConfig(of: layout), layout: layout)
            } catch {
                logger.error("network \(layout.name): cannot start dnsmasq: \(error)")
            }
        }
        logger.info("re-applied \(layouts.count) network(s) on the host")
    }

    /// Gives the hosted networks in `reservations` and those `load(deferringToInstances: true)` left
    /// waiting their reservations (none when absent) and makes their dnsmasq run with them: started
    /// where none runs, told to re-read its files where only they changed. Reservations that do not
    /// render (two NICs asking for one address, say) are logged and that dnsmasq runs without them.
    public func startDNSMasq(reservations: [String: [DHCPReservation]]) async {
        _ = try? await changes.withLock { await self.performStartDNSMasq(reservations) }
    }

    private func performStartDNSMasq(_ given: [String: [DHCPReservation]]) async {
        let waiting = awaitingDNSMasq
        awaitingDNSMasq = []
        for layout in layouts where layout.kind.isHosted {
            let name = layout.name
            guard waiting.contains(name) || given[name] != nil else { continue }
            let wanted = given[name] ?? []
            do {
                _ = try DnsmasqConfig.render(layout: layout, reservations: wanted, paths: try dnsmasqPaths(of: name))
                reservations[name] = wanted
            } catch {
                logger.error("network \(name): the instances' DHCP reservations are refused, dnsmasq runs without them: \(error)")
                reservations[name] = []
            }
            do {
                try makeFolder(of: name)
                try await driver.ensureDNSMasq(try dnsmasqConfig(of: layout), layout: layout)
            } catch {
                logger.error("network \(name): cannot start dnsmasq: \(error)")
            }
        }
    }
}
