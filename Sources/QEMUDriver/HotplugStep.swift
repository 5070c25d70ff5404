/// One step of plugging a disk or a NIC into a running guest or unplugging it: a QMP command, or a
/// wait for the event that says the guest let go of a device. Data, so plans are tested without QEMU.
public enum HotplugStep: Sendable, Equatable, CustomStringConvertible {
    /// `blockdev-add`: open block node `nodeName` with `options` (a `-blockdev` object).
    case blockdevAdd(nodeName: String, options: QEMUJSON)
    /// `device_add`: plug device `id` described by `options` (a `-device` object).
    case deviceAdd(id: String, options: QEMUJSON)
    /// `device_del`: ask the guest to release device `id`.
    case deviceDel(id: String)
    /// Wait for `DEVICE_DELETED` of device `id`: only then are its nodes free to close.
    case awaitDeviceDeleted(id: String)
    /// `blockdev-del`: close block node `nodeName`.
    case blockdevDel(nodeName: String)
    /// `netdev_add`: open network backend `id` described by `options` (a `-netdev` object).
    case netdevAdd(id: String, options: QEMUJSON)
    /// `netdev_del`: close network backend `id`.
    case netdevDel(id: String)

    /// The QMP command and its arguments; `nil` for a wait.
    public var command: (name: String, arguments: QEMUJSON)? {
        switch self {
        case .blockdevAdd(_, let options): ("blockdev-add", options)
        case .deviceAdd(_, let options): ("device_add", options)
        case .deviceDel(let id): ("device_del", .object([("id", .string(id))]))
        case .awaitDeviceDeleted: nil
        case .blockdevDel(let nodeName): ("blockdev-del", .object([("node-name", .string(nodeName))]))
        case .netdevAdd(_, let options): ("netdev_add", options)
        case .netdevDel(let id): ("netdev_del", .object([("id", .string(id))]))
        }
    }

    /// One line: the command and its JSON arguments, or the event waited for.
    public var description: String {
        switch self {
        case .awaitDeviceDeleted(let id): "await DEVICE_DELETED " + QEMUJSON.object([("device", .string(id))]).rendered
        default: command.map { "\($0.name) \($0.arguments.rendered)" } ?? ""
        }
    }

    /// The steps that take this one back: a node or backend added is deleted, a device added is
    /// unplugged.
    var undo: [HotplugStep] {
        switch self {
        case .blockdevAdd(let nodeName, _): [.blockdevDel(nodeName: nodeName)]
        case .deviceAdd(let id, _): [.deviceDel(id: id), .awaitDeviceDeleted(id: id)]
        case .netdevAdd(let id, _): [.netdevDel(id: id)]
        case .deviceDel, .awaitDeviceDeleted, .blockdevDel, .netdevDel: []
        }
    }

    /// The steps that take back `completed` (steps of an attach that stopped half-way), last first.
    static func undo(_ completed: [HotplugStep]) -> [HotplugStep] {
        completed.reversed().flatMap(\.undo)
    }
}
