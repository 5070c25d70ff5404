/// A property of a QOM object, as QMP `qom-list` describes it; children are `child<TYPE>`.
public struct QMPObjectProperty: Sendable, Hashable {
    public var name: String
    public var type: String

    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }

    /// For a child object, its type (`virtio-scsi-pci` from `child<virtio-scsi-pci>`); `nil` otherwise.
    public var childType: String? {
        guard type.hasPrefix("child<"), type.hasSuffix(">") else { return nil }
        return String(type.dropFirst("child<".count).dropLast())
    }
}
