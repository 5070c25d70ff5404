import Foundation
import JoistTesting

/// Creating and deleting a `nat` network (bridge, firewall rules, dnsmasq for DHCP and DNS), three
/// ways in interleaved rounds, rotating which goes first:
///
/// - `joist network create NAME --type nat --subnet …` and `joist network delete NAME`, CLI start-up
///   included;
/// - `POST /1.0/networks` and `DELETE /1.0/networks/NAME` over a kept-alive Unix-socket connection;
/// - by hand, the floor: one shell script making the same host changes with the very files joistd
///   wrote (its bridge's name, MAC and address, its `nft` table, its dnsmasq config pointed at a
///   folder of the script's own), and one undoing them (stop dnsmasq and wait until it is gone,
///   delete the bridge, the empty table). The files are in place before the clock starts.
///
/// Runs in the daemon's network namespace while no other network exists.
struct NetworkLifecycleBench {
    let joist: DaemonHarness
    let client: BenchClient
    /// A folder in the state directory for the floor's files.
    let folder: String
    let rounds: Int

    enum Side: String, Codable, CaseIterable { case cli, api, hand }

    struct Result: Codable {
        var rounds: Int
        /// Seconds by `Side.rawValue`, one per round.
        var create: [String: [Double]]
        var delete: [String: [Double]]
    }

    static let name = "netbench"
    static let subnet = "10.55.0.0/24"
    static let gateway = "10.55.0.1/24"

    func run() async throws -> Result {
        // An untimed create and delete through the CLI, capturing what the floor replays.
        try await HostTools.cli(joist, ["network", "create", Self.name, "--type", "nat", "--subnet", Self.subnet])
        let floor = try await captureFloor()
        try await HostTools.cli(joist, ["network", "delete", Self.name])
        try floor.writeEmptyRuleset(try await listTable())
        // And one of each, untimed, so no side pays for a first run.
        for side in Side.allCases { _ = try await cycle(side, floor: floor) }

        var create: [String: [Double]] = [:]
        var delete: [String: [Double]] = [:]
        for round in 0..<rounds {
            let sides = Side.allCases
            let order = (0..<sides.count).map { sides[($0 + round) % sides.count] }
            var line: [String] = []
            for side in order {
                let times = try await cycle(side, floor: floor)
                create[side.rawValue, default: []].append(times.create)
                delete[side.rawValue, default: []].append(times.delete)
                line.append("\(side.rawValue) \(millis(times.create))/\(millis(times.delete)) ms")
            }
            progress("network create/delete round \(round + 1)/\(rounds): " + line.joined(separator: ", "))
        }
        return Result(rounds: rounds, create: create, delete: delete)
    }

    /// Seconds to create the network one way, and to delete it the same way.
    private func cycle(_ side: Side, floor: Floor) async throws -> (create: Double, delete: Double) {
        switch side {
        case .cli:
            let create = try await timed {
                try await HostTools.cli(joist, ["network", "create", Self.name, "--type", "nat", "--subnet", Self.subnet])
            }
            let delete = try await timed { try await HostTools.cli(joist, ["network", "delete", Self.name]) }
            return (create, delete)
        case .api:
            let body = Data(#"{"name":"\#(Self.name)","type":"nat","subnet":"\#(Self.subnet)"}"#.utf8)
            let create = try await timed { try await client.send(.POST, "/1.0/networks", body: body, expect: .created) }
            let delete = try await timed { try await client.send(.DELETE, "/1.0/networks/\(Self.name)", expect: .noContent) }
            return (create, delete)
        case .hand:
            let create = try await timed { try await floor.run(floor.createScript, joist: joist) }
            let delete = try await timed { try await floor.run(floor.deleteScript, joist: joist) }
            return (create, delete)
        }
    }

    /// `nft list table inet joist` in the daemon's namespace.
    private func listTable() async throws -> String {
        let result = try await joist.run("/usr/sbin/nft", ["list", "table", "inet", "joist"])
        guard result.succeeded else { throw BenchError("nft list table inet joist failed: \(result)") }
        return result.stdout
    }

    /// Writes the floor's files from the network joistd has just made.
    private func captureFloor() async throws -> Floor {
        let info = try JSONSerialization.jsonObject(
            with: Data(try await HostTools.cli(joist, ["network", "info", Self.name, "--format", "json"]).stdout.utf8)) as? [String: Any]
        guard let bridge = info?["bridge"] as? String else { throw BenchError("joist network info \(Self.name) shows no bridge") }
        let link = try await joist.run("/usr/sbin/ip", ["-j", "link", "show", "dev", bridge])
        guard link.succeeded, let links = try JSONSerialization.jsonObject(with: Data(link.stdout.utf8)) as? [[String: Any]],
            let mac = links.first?["address"] as? String
        else { throw BenchError("ip link show dev \(bridge) failed: \(link)") }
        let daemonFolder = joist.stateDirectory + "/networks/" + Self.name
        let floorFolder = folder + "/" + Self.name
        try FileManager.default.createDirectory(
            atPath: floorFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let config = try String(contentsOfFile: daemonFolder + "/dnsmasq.conf", encoding: .utf8)
        guard config.contains(daemonFolder) else { throw BenchError("\(daemonFolder)/dnsmasq.conf does not name its folder") }
        try config.replacingOccurrences(of: daemonFolder, with: floorFolder)
            .write(toFile: floorFolder + "/dnsmasq.conf", atomically: true, encoding: .utf8)
        for file in ["dhcp-hosts"] where FileManager.default.fileExists(atPath: daemonFolder + "/" + file) {
            try FileManager.default.copyItem(atPath: daemonFolder + "/" + file, toPath: floorFolder + "/" + file)
        }
        let floor = Floor(folder: folder, networkFolder: floorFolder, bridge: bridge, mac: mac)
        try floor.writeRuleset(try await listTable(), to: floor.fullRuleset)
        return floor
    }
}

extension NetworkLifecycleBench {
    /// The by-hand side's files and scripts.
    struct Floor {
        let folder: String
        let networkFolder: String
        let bridge: String
        let mac: String

        var fullRuleset: String { folder + "/full.nft" }
        var emptyRuleset: String { folder + "/empty.nft" }

        var createScript: String {
            """
            set -e
            PATH=/usr/sbin:/usr/bin:/sbin:/bin
            ip link add name \(bridge) address \(mac) type bridge
            ip addr add \(NetworkLifecycleBench.gateway) brd + dev \(bridge)
            ip link set dev \(bridge) up
            nft -f \(fullRuleset)
            dnsmasq --conf-file=\(networkFolder)/dnsmasq.conf
            """
        }

        /// Waits for dnsmasq as joistd does: until its `/proc/PID/cmdline` is empty (a zombie's is).
        var deleteScript: String {
            """
            set -e
            PATH=/usr/sbin:/usr/bin:/sbin:/bin
            pid=$(cat \(networkFolder)/dnsmasq.pid)
            kill $pid
            while grep -q . /proc/$pid/cmdline 2>/dev/null; do sleep 0.02; done
            ip link del dev \(bridge)
            nft -f \(emptyRuleset)
            """
        }

        /// Runs `script` with `/bin/sh` in the daemon's network namespace; throws unless it succeeds.
        func run(_ script: String, joist: DaemonHarness) async throws {
            let result = try await joist.run("/bin/sh", ["-c", script])
            guard result.succeeded else { throw BenchError("the by-hand network script failed: \(result)\n\(script)") }
        }

        /// `table … {}` + `delete table …` + the listing: the whole table replaced in one transaction,
        /// as joistd applies it.
        func writeRuleset(_ listing: String, to path: String) throws {
            let script = "table inet joist {}\ndelete table inet joist\n" + listing
            try script.write(toFile: path, atomically: true, encoding: .utf8)
        }

        func writeEmptyRuleset(_ listing: String) throws { try writeRuleset(listing, to: emptyRuleset) }
    }
}
