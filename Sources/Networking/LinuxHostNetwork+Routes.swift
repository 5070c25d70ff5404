/// The host's routes, which a new network's subnet must not overlap.
extension LinuxHostNetwork {
    /// Every IPv4 prefix in every routing table (policy routing may put routes outside `main`), and
    /// the host's own addresses; default routes are left out (see `IPRoute.claimedSubnet`). The
    /// subnets of Joist's own bridges are included like any other route.
    /// Maps to `ip -j -4 route show table all`.
    public func routedSubnets() async throws -> [IPv4Subnet] {
        let output = try await check(.ip, ["-j", "-4", "route", "show", "table", "all"], to: "list the host's routes")
        return try IPRoute.claimedSubnets(inListing: output.stdout)
    }
}
