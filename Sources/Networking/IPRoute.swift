import Foundation
import JoistCore

/// One route as `ip -j -4 route show table all` prints it: its destination and type.
struct IPRoute: Decodable, Sendable, Equatable {
    /// `default`, a prefix (`10.1.2.0/24`) or a single address (`10.1.2.1`, a /32).
    var dst: String
    /// Absent for ordinary (`unicast`) routes; `local`, `broadcast`, `blackhole`, … otherwise.
    var type: String?

    /// Route types whose destination the host claims: reached through it (`unicast`), its own
    /// addresses (`local`, which covers a lone /32 address that has no prefix route), or a prefix
    /// that someone deliberately made unreachable. `broadcast`, `multicast` and `anycast` entries
    /// only restate addresses of a prefix already listed, and `throw` claims nothing.
    static let claimingTypes: Set<String> = ["unicast", "local", "blackhole", "unreachable", "prohibit"]

    /// The subnet the route claims, or nil when it claims none that a network could collide with
    /// (the default route would overlap every subnet, so it says nothing about any one of them).
    var claimedSubnet: IPv4Subnet? {
        guard Self.claimingTypes.contains(type ?? "unicast"), dst != "default" else { return nil }
        let subnet = dst.contains("/") ? try? IPv4Subnet(parsing: dst) : (try? IPv4Address(parsing: dst)).flatMap {
            try? IPv4Subnet(network: $0, prefixLength: 32)
        }
        guard let subnet, subnet.prefixLength > 0 else { return nil }
        return subnet
    }

    /// The distinct subnets an `ip -j -4 route show table all` listing claims, sorted.
    static func claimedSubnets(inListing json: String) throws(JoistError) -> [IPv4Subnet] {
        guard !json.allSatisfy(\.isWhitespace) else { return [] }
        let routes: [IPRoute]
        do {
            routes = try JSONDecoder().decode([IPRoute].self, from: Data(json.utf8))
        } catch {
            throw .hostFailure("ip printed a route listing that Joist cannot read: \(error)")
        }
        return Set(routes.compactMap(\.claimedSubnet)).sorted()
    }
}
