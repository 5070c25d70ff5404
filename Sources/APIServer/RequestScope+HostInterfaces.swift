import JoistCore

extension RequestScope {
    /// Refuses a request that joins instances to one of joistd's host interfaces (a `bridge`
    /// network's parent) unless it came through the Unix socket.
    ///
    /// Such a network puts guests on the host's LAN, beside the host itself: that is the local
    /// administrator's decision, never a token holder's, even a global admin's. So this runs before
    /// anything looks at the interface, and a remote caller cannot learn which interfaces exist.
    func requireHostInterfaceAccess(_ interface: String?, to action: String) throws(JoistError) {
        guard !viaUnixSocket else { return }
        throw .forbidden(
            "cannot \(action): only the local administrator on joistd's Unix socket may join instances to a host interface"
                + (interface.map { " (\($0))" } ?? "") + "; create a nat or isolated network instead")
    }
}
