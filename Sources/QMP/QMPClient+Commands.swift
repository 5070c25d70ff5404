/// Typed wrappers, one per QMP command the daemon uses.
extension QMPClient {
    /// The guest's run state. Maps to QMP `query-status`.
    public func queryStatus() async throws -> QMPStatus {
        let result = try await execute("query-status")
        guard let running = result["running"]?.boolValue, let status = result["status"]?.stringValue else {
            throw QMPError.protocolViolation("query-status returned \(result)")
        }
        return QMPStatus(running: running, status: status)
    }

    /// Whether the front end of character device `id` is open (for a virtio-serial port: whether a
    /// program in the guest has the port open); nil when QEMU has no such device. Maps to QMP
    /// `query-chardev`.
    public func chardevFrontendOpen(_ id: String) async throws -> Bool? {
        guard let devices = try await execute("query-chardev").arrayValue else {
            throw QMPError.protocolViolation("query-chardev returned no list")
        }
        return devices.first { $0["label"]?.stringValue == id }?["frontend-open"]?.boolValue
    }

    /// Starts or resumes the virtual CPUs. Maps to QMP `cont`.
    public func cont() async throws {
        _ = try await execute("cont")
    }

    /// Pauses the virtual CPUs; QEMU then emits `STOP`. Maps to QMP `stop`.
    public func stop() async throws {
        _ = try await execute("stop")
    }

    /// Asks the guest to shut down, as if its power button were pressed (ACPI). Maps to QMP
    /// `system_powerdown`.
    public func systemPowerdown() async throws {
        _ = try await execute("system_powerdown")
    }

    /// Resets the machine, as if its reset button were pressed. Maps to QMP `system_reset`.
    public func systemReset() async throws {
        _ = try await execute("system_reset")
    }

    /// Makes QEMU exit at once, without a guest shutdown. Maps to QMP `quit`.
    ///
    /// QEMU may close the socket before its answer arrives, so a disconnection counts as success.
    public func quit() async throws {
        do {
            _ = try await execute("quit")
        } catch QMPError.disconnected {
            return
        }
    }

    /// Runs a human monitor (HMP) command and returns its text output. Maps to QMP
    /// `human-monitor-command`.
    public func humanMonitorCommand(_ commandLine: String) async throws -> String {
        let result = try await execute("human-monitor-command", arguments: ["command-line": .string(commandLine)])
        guard let output = result.stringValue else {
            throw QMPError.protocolViolation("human-monitor-command returned \(result)")
        }
        return output
    }
}
