import Activity
import Daemon
import Foundation
import JoistAPI
import JoistCore
import JoistTesting
import Logging
import Networking
import QEMUDriver
import Store

/// A network manager on a store that can refuse writes and a fake host; `restarted()` is the next
/// daemon start on the same store and host.
struct NetworkFixture {
    let store: FailingStore
    let host: FakeHostNetworkDriver
    let events: EventBus
    let stateDirectory: String
    let manager: NetworkManager

    /// A fresh daemon on a host that routes `routes`.
    static func make(routes: [IPv4Subnet] = []) async throws -> NetworkFixture {
        let fixture = started(
            store: FailingStore(), host: FakeHostNetworkDriver(routes: routes), stateDirectory: "/tmp/jn-\(UUID().uuidString.prefix(8))")
        try await fixture.manager.load()
        return fixture
    }

    /// A daemon on `host`, whose calls go through `driver` (the host itself unless a test wraps it).
    static func started(
        store: FailingStore, host: FakeHostNetworkDriver, driver: (any HostNetworkDriver)? = nil, stateDirectory: String
    ) -> NetworkFixture {
        let events = EventBus()
        let env = DaemonEnvironment(
            stateDirectory: stateDirectory, store: store, accelerators: AcceleratorResolver(probe: NoKVM()), events: events,
            logger: Logger(label: "network-test"))
        return NetworkFixture(
            store: store, host: host, events: events, stateDirectory: stateDirectory,
            manager: NetworkManager(env: env, driver: driver ?? host))
    }

    /// The next daemon: a new manager, loaded from the same store, on the same host.
    func restarted() async throws -> NetworkFixture {
        let next = Self.started(store: store, host: host, stateDirectory: stateDirectory)
        try await next.manager.load()
        return next
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: stateDirectory) }

    @discardableResult
    func create(
        _ name: String, _ type: NetworkKind = .nat, subnet: String? = nil, parent: String? = nil
    ) async throws -> NetworkInfo {
        let subnet = try subnet.map { try IPv4Subnet(parsing: $0) }
        return try await manager.create(NetworkCreate(name: name, type: type, subnet: subnet, parent: parent))
    }

    /// The names of the networks the manager lists.
    func names() async -> [String] { await manager.list(visibleTo: nil).map(\.config.name) }

    /// The network's record in the store, if there is one.
    func record(_ name: String) async throws -> NetworkConfig? {
        try await store.get("/networks/" + name).map { try APICoding.decoder().decode(NetworkConfig.self, from: $0.value) }
    }

    /// The network's state folder, where its dnsmasq keeps its files.
    func folder(_ name: String) -> String { stateDirectory + "/networks/" + name }

    /// The dnsmasq the fake host runs for the network, if any.
    func dnsmasq(_ name: String) -> DnsmasqConfig? { host.dnsmasqs[folder(name)] }

    /// The networks the ruleset applied last has chains for.
    var networksInRuleset: [String] {
        guard let script = host.ruleset?.script else { return [] }
        return script.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            guard words.count == 3, words[0].hasSuffix("chain"), words[1].hasPrefix("into-") else { return nil }
            return String(words[1].dropFirst("into-".count))
        }.sorted()
    }

    /// Every lifecycle event published so far, as `ACTION NAME PROJECT`, once `body` has run.
    func lifecycleEvents(during body: () async throws -> Void) async rethrows -> [String] {
        let subscription = events.subscribe(EventFilter(types: [.lifecycle]))
        try await body()
        events.unsubscribe(subscription.id)
        var seen: [String] = []
        for await event in subscription.events {
            seen.append("\(event.lifecycle?.action ?? "") \(event.lifecycle?.name ?? "") \(event.project ?? "-")")
        }
        return seen
    }
}
