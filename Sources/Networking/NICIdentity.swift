/// Which NIC of which instance: the key a NIC's tap device name and default MAC address derive
/// from, so both stay the same through restarts, daemon restarts and hot-plugs.
public struct NICIdentity: Hashable, Sendable, CustomStringConvertible {
    public var project: String
    public var instance: String
    /// The NIC's number (`NICSpec.id`, its name `ethN`), which stays when other NICs are removed.
    public var index: Int

    public init(project: String, instance: String, index: Int) {
        self.project = project
        self.instance = instance
        self.index = index
    }

    /// `PROJECT/INSTANCE/INDEX`: project and instance names never contain `/`, so keys never collide.
    public var description: String { "\(project)/\(instance)/\(index)" }
}
