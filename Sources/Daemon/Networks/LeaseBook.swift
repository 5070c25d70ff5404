import Foundation
public import JoistCore
import Networking
import Synchronization

/// The DHCP leases of every hosted network, for showing each instance's addresses: read from the
/// network's dnsmasq lease file (`DnsmasqPaths.leaseFile`) when that file changed, else from memory.
///
/// Listings ask for every NIC of every instance, so a look-up costs one `stat` of its network's
/// lease file, never a read of an unchanged one. A file that is missing or unreadable (a `bridge`
/// network, a network whose dnsmasq has given no lease yet) means no addresses: showing addresses
/// must never fail.
public final class LeaseBook: Sendable {
    /// What identifies one version of a lease file: dnsmasq rewrites it whole.
    private struct Stamp: Equatable {
        var inode: UInt64
        var size: Int64
        var seconds: Int
        var nanoseconds: Int
    }

    private let stateDirectory: String
    private let cache = Mutex<[String: (stamp: Stamp, leases: [DnsmasqLeases.Lease])]>([:])

    /// The lease files of the networks under `STATE/networks/NAME/`.
    public init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
    }

    /// The addresses network `network` leased to `mac` that had not expired at `now`.
    public func addresses(of mac: MACAddress, on network: String, at now: Date = Date()) -> [IPv4Address] {
        DnsmasqLeases.addresses(for: mac, in: leases(on: network), at: now)
    }

    /// The leases in the network's lease file, read again only when the file changed.
    func leases(on network: String) -> [DnsmasqLeases.Lease] {
        guard (try? ResourceName.validate(network, kind: "network")) != nil,
            let path = try? DnsmasqPaths(directory: stateDirectory + "/networks/" + network).leaseFile
        else { return [] }
        var info = stat()
        guard stat(path, &info) == 0 else {
            cache.withLock { _ = $0.removeValue(forKey: network) }
            return []
        }
        let stamp = Stamp(
            inode: UInt64(info.st_ino), size: Int64(info.st_size), seconds: info.st_mtim.tv_sec, nanoseconds: info.st_mtim.tv_nsec)
        if let cached = cache.withLock({ $0[network] }), cached.stamp == stamp { return cached.leases }
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let leases = DnsmasqLeases.parse(String(decoding: data, as: UTF8.self))
        cache.withLock { $0[network] = (stamp, leases) }
        return leases
    }
}
