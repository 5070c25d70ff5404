/// Typed wrappers for guest devices: hot-plug and unplug, and what is plugged where.
extension QMPClient {
    /// Plugs a device into the running guest. Maps to QMP `device_add`; `options` are the same object
    /// as a `-device` argument (`driver`, `id`, and the driver's properties).
    public func deviceAdd(_ options: [String: JSONValue]) async throws {
        _ = try await execute("device_add", arguments: options)
    }

    /// Asks for device `id` to be unplugged. Maps to QMP `device_del`.
    ///
    /// This only starts the unplug: most buses need the guest's consent, and the device is gone when
    /// QEMU emits `DEVICE_DELETED` (see `watchDeviceDeleted(id:)` and `deleteDevice(id:timeout:)`).
    public func deviceDel(id: String) async throws {
        _ = try await execute("device_del", arguments: ["id": .string(id)])
    }

    /// Watches for QEMU's `DEVICE_DELETED` for device `id`; arm it before `deviceDel(id:)`.
    public func watchDeviceDeleted(id: String) -> QMPEventWatch {
        watchEvent("DEVICE_DELETED", describedAs: "DEVICE_DELETED for device \(id)") { $0["device"]?.stringValue == id }
    }

    /// Unplugs device `id` and returns once QEMU has removed it (`device_del`, then `DEVICE_DELETED`).
    ///
    /// - Throws: `QMPError.timeout` when the guest does not release the device within `timeout` (the
    ///   request stays pending in QEMU), `.commandFailed` when QEMU refuses (`DeviceNotFound`, …).
    public func deleteDevice(id: String, timeout: Duration) async throws {
        let deleted = watchDeviceDeleted(id: id)
        do {
            try await deviceDel(id: id)
        } catch {
            deleted.cancel()
            throw error
        }
        _ = try await deleted.wait(timeout: timeout)
    }

    /// The PCI devices on the machine's root buses, with what sits behind each bridge. Maps to QMP
    /// `query-pci`; a machine without PCI (microvm) has none.
    public func queryPCI() async throws -> [QMPPCIDevice] {
        let result = try await execute("query-pci")
        guard let buses = result.arrayValue else { throw QMPError.protocolViolation("query-pci returned \(result)") }
        var devices: [QMPPCIDevice] = []
        for bus in buses {
            let entries = bus["devices"]?.arrayValue ?? []
            let parsed = entries.compactMap(QMPPCIDevice.init)
            guard parsed.count == entries.count else { throw QMPError.protocolViolation("query-pci returned \(result)") }
            devices += parsed
        }
        return devices
    }

    /// The properties and children of the QOM object at `path`, e.g. `/machine/peripheral`, whose
    /// children are the devices given an id. Maps to QMP `qom-list`.
    public func qomList(path: String) async throws -> [QMPObjectProperty] {
        let result = try await execute("qom-list", arguments: ["path": .string(path)])
        guard let entries = result.arrayValue else { throw QMPError.protocolViolation("qom-list returned \(result)") }
        return try entries.map { entry in
            guard let name = entry["name"]?.stringValue, let type = entry["type"]?.stringValue else {
                throw QMPError.protocolViolation("qom-list returned \(result)")
            }
            return QMPObjectProperty(name: name, type: type)
        }
    }
}
