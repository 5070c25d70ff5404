import Activity
import Foundation
public import JoistAPI
import JoistCore
import Logging
public import Networking
import Store

/// The host's networks: creates, finds and deletes them, and keeps what each needs on the host (its
/// bridge, its part of the one nftables ruleset, its dnsmasq) applied through a `HostNetworkDriver`.
///
/// Networks are global, like storage pools; each is one record under `/networks/NAME`, the complete
/// `NetworkConfig` with the subnet chosen at creation, so a network keeps its addresses for life.
/// Host changes come first and the record last, and a failing step undoes the earlier ones
/// (`Reverter`), so a failed create leaves nothing and a failed delete leaves the network working.
/// Changes run one at a time (`changes`): each renders the ruleset of every network, and two creates
/// must not choose the same free subnet. The driver is idempotent, so `load` simply applies every
/// network again.
public actor NetworkManager {
    struct Entry: Sendable {
        var config: NetworkConfig
        var layout: NetworkLayout
        var revision: Int64
    }

    let store: any Store
    let driver: any HostNetworkDriver
    let stateDirectory: String
    let events: EventBus
    let logger: Logger
    /// The nftables table that holds Joist's rules (tests in namespaces of their own may pick another).
    let table: String

    var networks: [String: Entry] = [:]
    /// Networks being deleted: no NIC may join them any more, though they are still listed.
    var deleting: Set<String> = []
    /// The instances with NICs on each network, as the instance layer reports them (`attach`/`detach`).
    var users: [String: Set<InstanceKey>] = [:]
    /// Each hosted network's DHCP reservations, as the instance layer sets them.
    var reservations: [String: [DHCPReservation]] = [:]
    /// The firewall's rules and the NICs they cover (`NetworkManager+Firewall.swift`).
    var firewall = FirewallState()
    /// Each network's port forwards (`NetworkManager+Forwards`), and the store revision of its record.
    var forwards: [String: [NetworkForward]] = [:]
    var forwardRevisions: [String: Int64] = [:]
    /// Hosted networks whose dnsmasq waits for the instances' reservations (see `load`).
    var awaitingDNSMasq: Set<String> = []
    /// Whether `load` left the ruleset to `applyRulesetAfterLoad` (firewall chains need the
    /// instances' NICs; a deferring load waits for the instances altogether).
    var awaitingRuleset = false
    /// Serializes changes across their suspension points (actor isolation alone does not).
    let changes = AsyncLock()
    /// What the host kernel supports, once probed (`hostFeatures()`).
    var features: HostNetworkFeatures?
    /// The addresses each hosted network's dnsmasq leased, for showing instances' addresses.
    public nonisolated let leases: LeaseBook

    public init(env: DaemonEnvironment, driver: any HostNetworkDriver, table: String = NFTablesRuleset.defaultTable) {
        self.store = env.store
        self.driver = driver
        self.stateDirectory = env.stateDirectory
        self.events = env.events
        self.logger = env.logger
        self.table = table
        self.leases = LeaseBook(stateDirectory: env.stateDirectory)
    }

    static let prefix = "/networks/"
    static func key(_ name: String) -> String { prefix + name }

    /// The network's state folder, `STATE/networks/NAME`: its dnsmasq's files.
    func folder(of name: String) -> String { stateDirectory + "/networks/" + name }

    /// Where the network's dnsmasq keeps its files.
    func dnsmasqPaths(of name: String) throws(JoistError) -> DnsmasqPaths {
        try DnsmasqPaths(directory: folder(of: name))
    }

    /// The network named `name`, or `notFound`.
    func entry(_ name: String) throws(JoistError) -> Entry {
        guard let entry = networks[name] else { throw .notFound("network \(name) not found") }
        return entry
    }

    /// The one ruleset for `layouts`: every network on the host, or every one but a network being
    /// deleted, with each one's port forwards (`forwards`, or the current ones) and the firewall as it
    /// is (or as a change would make it). Rendering checks them together (shared bridges, overlapping
    /// subnets, clashing forwards).
    func ruleset(
        of layouts: [NetworkLayout], forwards: [String: [NetworkForward]]? = nil, firewall: FirewallState? = nil
    ) throws(JoistError) -> NFTablesRuleset {
        let forwards = forwards ?? self.forwards
        return try NFTablesRuleset.render(
            layouts.map { NFTablesRuleset.Network(layout: $0, forwards: (forwards[$0.name] ?? []).map(\.portForward)) },
            firewall: (firewall ?? self.firewall).input, table: table)
    }

    /// The layouts of every network, sorted by name.
    var layouts: [NetworkLayout] { networks.keys.sorted().compactMap { networks[$0]?.layout } }

    /// The dnsmasq files of a hosted network with its current reservations.
    func dnsmasqConfig(of layout: NetworkLayout) throws(JoistError) -> DnsmasqConfig {
        try DnsmasqConfig.render(layout: layout, reservations: reservations[layout.name] ?? [], paths: try dnsmasqPaths(of: layout.name))
    }

    /// Every network, sorted by name, with the users `project` may see (all when nil).
    public func list(visibleTo project: String?) -> [NetworkInfo] {
        networks.keys.sorted().compactMap { networks[$0] }.map { info($0, visibleTo: project) }
    }

    /// One network with the users `project` may see (all when nil).
    public func info(_ name: String, visibleTo project: String?) throws -> NetworkInfo {
        info(try entry(name), visibleTo: project)
    }

    func info(_ entry: Entry, visibleTo project: String?) -> NetworkInfo {
        let visible = (users[entry.config.name] ?? []).filter { project == nil || $0.project == project }.sorted()
        return NetworkInfo(
            config: entry.config, bridge: entry.layout.bridge, gateway: entry.layout.gateway,
            dhcpRange: entry.layout.addressing.map { NetworkAddressRange(first: $0.dhcpRange.lowerBound, last: $0.dhcpRange.upperBound) },
            usedBy: visible.map { NetworkUser(project: $0.project, name: $0.name) })
    }

    /// Lifecycle events of networks are global (no project).
    func publish(_ action: String, _ name: String) {
        let event = LifecycleEvent(action: action, source: "/1.0/networks/\(name)", name: name)
        events.publish(Event(type: .lifecycle, timestamp: Date(), project: nil, lifecycle: event))
    }
}
