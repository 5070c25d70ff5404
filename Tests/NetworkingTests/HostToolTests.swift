import Foundation
import HostKit
import JoistCore
import Networking
import Testing

/// The rendered files checked by the real tools: `nft -c` (check only) and `dnsmasq --test` (syntax
/// only). nft runs inside a network namespace of its own, which ends with it, so nothing here
/// changes the host's rules.
@Suite("Rendered files pass nft and dnsmasq")
struct HostToolTests {
    /// Rulesets covering every kind of rule, and network names that are nft keywords.
    static func rulesets() throws -> [(name: String, ruleset: NFTablesRuleset)] {
        let keywords = try ["fwd", "ip", "accept", "drop", "counter", "table", "a" + String(repeating: "-b", count: 31)]
            .enumerated().map { index, name in
                try NetworkLayout(NetworkConfig(
                    name: name, kind: index.isMultiple(of: 2) ? .nat : .isolated,
                    subnet: IPv4Subnet(network: IPv4Address(10, 200, UInt8(index), 0), prefixLength: 24)))
            }
        let forward = PortForward(listenAddress: try Samples.address("127.0.0.1"), listenPort: 2222,
                                  targetAddress: IPv4Address(10, 200, 0, 5), targetPort: 22)
        return [
            ("full", try Samples.ruleset()),
            ("empty", try NFTablesRuleset.render([])),
            ("nat without forwards", try NFTablesRuleset.render([.init(layout: Samples.web())])),
            ("keyword names", try NFTablesRuleset.render(keywords.map { .init(layout: $0, forwards: $0.name == "fwd" ? [forward] : []) })),
            ("firewall", try FirewallRulesetTests.render()),
            ("firewall on keyword names", try NFTablesRuleset.render(keywords.map { .init(layout: $0) }, firewall: .init(
                networks: Dictionary(uniqueKeysWithValues: keywords.map { ($0.name, FirewallRuleSet(rules: [FirewallRule(direction: .out, action: .drop)])) }),
                nics: keywords.map { .init(identity: NICIdentity(project: "default", instance: $0.name, index: 0), network: $0.name, rules: []) }))),
        ]
    }

    @Test("nft -c accepts every rendered ruleset")
    func nftAccepts() async throws {
        try await withScratchFolder { folder in
            for (name, ruleset) in try Self.rulesets() {
                let file = folder + "/ruleset.nft"
                try ruleset.script.write(toFile: file, atomically: true, encoding: .utf8)
                let output = try await Tool.inNetworkNamespace("nft -c -f \"$1\"", file)
                #expect(output.succeeded, "nft -c refused the \(name) ruleset: \(output.stderr)")
            }
            let removal = folder + "/removal.nft"
            try NFTablesRuleset.removalScript().write(toFile: removal, atomically: true, encoding: .utf8)
            #expect(try await Tool.inNetworkNamespace("nft -c -f \"$1\"", removal).succeeded)
        }
    }

    @Test("a drop policy (stateful, in the bridge family) passes nft -c exactly where the driver says the kernel tracks bridged connections")
    func dropPolicyNeedsBridgeConntrack() async throws {
        try await TestNamespace.with { namespaces in
            let tracks = try await namespaces[0].driver.tracksBridgedConnections()
            let policy = try FirewallRulesetTests.render(policy: FirewallPolicy(in: .drop, out: .drop))
            try await withScratchFolder { folder in
                let file = folder + "/policy.nft"
                try policy.script.write(toFile: file, atomically: true, encoding: .utf8)
                let output = try await Tool.inNetworkNamespace("nft -c -f \"$1\"", file)
                #expect(output.succeeded == tracks, "tracks bridged connections: \(tracks); nft -c: \(output.stderr)")
            }
        }
    }

    @Test("nft -c refuses a broken script, so the check above can fail")
    func nftRefuses() async throws {
        try await withScratchFolder { folder in
            let file = folder + "/broken.nft"
            let broken = try Samples.ruleset().script.replacingOccurrences(of: "masquerade", with: "masquerad")
            try broken.write(toFile: file, atomically: true, encoding: .utf8)
            let output = try await Tool.inNetworkNamespace("nft -c -f \"$1\"", file)
            #expect(!output.succeeded)
            #expect(output.stderr.contains("masquerad"))
        }
    }

    @Test("applied twice in a private namespace, the table is the same; without a network its chains go; without any, the table")
    func idempotent() async throws {
        try await withScratchFolder { folder in
            let full = folder + "/full.nft", smaller = folder + "/smaller.nft", none = folder + "/none.nft"
            try Samples.ruleset().script.write(toFile: full, atomically: true, encoding: .utf8)
            try NFTablesRuleset.render([.init(layout: Samples.lab())]).script.write(toFile: smaller, atomically: true, encoding: .utf8)
            try NFTablesRuleset.render([.init(layout: Samples.lan())]).script.write(toFile: none, atomically: true, encoding: .utf8)
            let script = """
                nft -f "$1" && nft list table inet joist && echo @@ && nft -f "$1" && nft list table inet joist && echo @@ \
                && nft -f "$2" && nft list ruleset && echo @@ && nft -f "$3" && nft -f "$3" && nft list tables && echo end
                """
            let output = try await Tool.inNetworkNamespace(script, full, smaller, none)
            try #require(output.succeeded, "\(output.stderr)")
            let listings = output.stdout.components(separatedBy: "@@\n")
            try #require(listings.count == 4)
            // Without a hosted network the table goes, and removing it again changes nothing.
            #expect(listings[3] == "end\n", "no table may be left: \(listings[3])")
            #expect(listings[0] == listings[1])
            #expect(listings[0].contains("chain into-web") && listings[0].contains("dnat ip to 10.1.2.10:80"))
            #expect(listings[0].components(separatedBy: "masquerade").count - 1 == 3)
            #expect(!listings[2].contains("web") && listings[2].contains("chain into-lab"))
            #expect(listings[2].components(separatedBy: "table ").count - 1 == 1, "only Joist's table: \(listings[2])")
        }
    }

    @Test("dnsmasq --test accepts every rendered config, and each reservation as a dhcp-host line")
    func dnsmasqAccepts() async throws {
        try await withScratchFolder { folder in
            let paths = try DnsmasqPaths(directory: folder)
            let rendered = [
                try DnsmasqConfig.render(layout: Samples.web(), reservations: Samples.webReservations(), paths: paths),
                try DnsmasqConfig.render(layout: Samples.lab(), reservations: [], paths: paths),
            ]
            for config in rendered {
                try config.config.write(toFile: paths.config, atomically: true, encoding: .utf8)
                let output = try await Tool.dnsmasqTest(paths.config)
                #expect(output.succeeded, "dnsmasq refused:\n\(config.config)\n\(output.stderr)")
            }
            let hosts = folder + "/hosts-as-options.conf"
            let lines = rendered[0].hosts.split(separator: "\n")
            try #require(lines.count == 3)
            try lines.map { "dhcp-host=\($0)\n" }.joined().write(toFile: hosts, atomically: true, encoding: .utf8)
            #expect(try await Tool.dnsmasqTest(hosts).succeeded)
        }
    }

    @Test("dnsmasq --test refuses a broken config, so the check above can fail")
    func dnsmasqRefuses() async throws {
        try await withScratchFolder { folder in
            let file = folder + "/broken.conf"
            let broken = try DnsmasqConfig.render(layout: Samples.web(), reservations: [], paths: Samples.paths).config
                .replacingOccurrences(of: "dhcp-range=10.1.2.2", with: "dhcp-range=10.1.2.256")
            try broken.write(toFile: file, atomically: true, encoding: .utf8)
            let output = try await Tool.dnsmasqTest(file)
            #expect(!output.succeeded)
            #expect(output.stderr.contains("dhcp-range"))
        }
    }
}

/// Runs `body` with a new empty folder under the temporary directory, removed afterwards.
func withScratchFolder<T>(_ body: (String) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory.appending(path: "joist-net-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try await body(folder)
}

/// The host tools the checks run.
enum Tool {
    /// Runs a shell script (with `arguments` as `$1`, `$2`, …) in a new network namespace of its own.
    static func inNetworkNamespace(_ script: String, _ arguments: String...) async throws -> HostCommand.Output {
        let unshare = try #require(HostCommand.locate("unshare"), "unshare is not installed (util-linux)")
        _ = try #require(HostCommand.locate("nft"), "nft is not installed (scripts/install-deps)")
        let sh = try #require(HostCommand.locate("sh"))
        return try await HostCommand(unshare, ["--net", sh, "-c", script, "sh"] + arguments).run()
    }

    /// `dnsmasq --test --conf-file=FILE`: a syntax check that binds nothing.
    static func dnsmasqTest(_ file: String) async throws -> HostCommand.Output {
        let dnsmasq = try #require(HostCommand.locate("dnsmasq"), "dnsmasq is not installed (scripts/install-deps)")
        return try await HostCommand(dnsmasq, ["--test", "--conf-file=\(file)"]).run()
    }
}
