/// A PCI device, as QMP `query-pci` describes it: enough to see which bridges (root ports) hold what.
public struct QMPPCIDevice: Sendable, Hashable {
    /// The device's id (`qdev_id`); empty for devices the machine made itself.
    public var id: String
    public var bus: Int
    public var slot: Int
    public var function: Int
    /// The devices behind this one when it is a bridge (a PCIe root port); `nil` for other devices.
    public var devicesBehind: [QMPPCIDevice]?

    public init(id: String, bus: Int, slot: Int, function: Int, devicesBehind: [QMPPCIDevice]? = nil) {
        self.id = id
        self.bus = bus
        self.slot = slot
        self.function = function
        self.devicesBehind = devicesBehind
    }

    /// Reads one `PciDeviceInfo`; `nil` when it lacks a member every device has.
    init?(_ value: JSONValue) {
        guard let bus = value["bus"]?.intValue, let slot = value["slot"]?.intValue,
            let function = value["function"]?.intValue
        else { return nil }
        var behind: [QMPPCIDevice]?
        if let bridge = value["pci_bridge"] {
            let devices = bridge["devices"]?.arrayValue ?? []
            behind = devices.compactMap(QMPPCIDevice.init)
            guard behind?.count == devices.count else { return nil }
        }
        self.init(
            id: value["qdev_id"]?.stringValue ?? "", bus: bus, slot: slot, function: function, devicesBehind: behind)
    }
}
