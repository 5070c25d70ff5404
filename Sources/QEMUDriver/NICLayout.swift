import JoistCore

/// The JSON QEMU gets for a NIC: the same objects go into `-netdev`/`-device` at boot and into
/// `netdev_add`/`device_add` when hot-plugging.
///
/// Tap netdevs open the device the host network driver made, by name, and run no scripts
/// (`script`/`downscript` `no`; QEMU's default would run `/etc/qemu-ifup`). `vhost` is on only for
/// NICs resolved with it (`AttachedNIC.vhost`, from the host's `VhostNet.isAvailable`): the
/// in-kernel path is faster, but QEMU refuses to start with it on a host without `/dev/vhost-net`
/// (such as the machines Joist is developed on), where frames move in QEMU's own threads.
enum NICLayout {
    /// The host side: QEMU's user network with its port forwards, or the tap device.
    static func netdev(_ nic: AttachedNIC) -> QEMUJSON {
        var fields: [(String, QEMUJSON)]
        switch nic.backend {
        case .user(let forwards):
            fields = [("type", .string("user")), ("id", .string(nic.netdevID))]
            if !forwards.isEmpty {
                fields.append(("hostfwd", .array(forwards.map { .object([("str", .string($0.description))]) })))
            }
        case .tap(let name):
            fields = [
                ("type", .string("tap")), ("id", .string(nic.netdevID)), ("ifname", .string(name)),
                ("script", .string("no")), ("downscript", .string("no")),
            ]
            if nic.vhost { fields.append(("vhost", .bool(true))) }
        }
        return .object(fields)
    }

    /// The guest's virtio NIC (PCI on q35, MMIO on microvm), behind root port `port` when given
    /// (a NIC hot-plugged into q35 must be: its root bus takes no hot-plugged devices).
    static func device(_ nic: AttachedNIC, machine: MachineType, port: String?) -> QEMUJSON {
        var fields: [(String, QEMUJSON)] = [
            ("driver", .string(machine == .microvm ? "virtio-net-device" : "virtio-net-pci")),
            ("id", .string(nic.deviceID)), ("netdev", .string(nic.netdevID)),
        ]
        if let mac = nic.mac { fields.append(("mac", .string(mac.description))) }
        if let port { fields.append(("bus", .string(port))) }
        return .object(fields)
    }
}
