/// Typed wrappers for network backends: the host side of a guest's NIC.
extension QMPClient {
    /// Opens a network backend (a tap device, QEMU's user network, …). Maps to QMP `netdev_add`;
    /// `options` are the same object as a `-netdev` argument (`type`, `id`, and the type's options).
    public func netdevAdd(_ options: [String: JSONValue]) async throws {
        _ = try await execute("netdev_add", arguments: options)
    }

    /// Closes network backend `id`. Maps to QMP `netdev_del`; unplug the device on it first.
    public func netdevDel(id: String) async throws {
        _ = try await execute("netdev_del", arguments: ["id": .string(id)])
    }
}
