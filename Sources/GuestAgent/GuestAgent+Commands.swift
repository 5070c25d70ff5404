import QMP

extension GuestAgent {
    /// Checks the agent answers. Maps to `guest-ping`.
    public func ping() async throws {
        _ = try await execute("guest-ping")
    }

    /// The agent's version and commands. Maps to `guest-info`.
    public func info() async throws -> GuestAgentInfo {
        try GuestAgentInfo(try await execute("guest-info"))
    }

    /// The guest's operating system. Maps to `guest-get-osinfo`.
    public func osInfo(timeout: Duration? = nil) async throws -> GuestOSInfo {
        GuestOSInfo(try await execute("guest-get-osinfo", arguments: nil, timeout: timeout))
    }

    /// The guest's network interfaces and their addresses. Maps to `guest-network-get-interfaces`.
    public func networkInterfaces(timeout: Duration? = nil) async throws -> [GuestNetworkInterface] {
        guard let list = try await execute("guest-network-get-interfaces", arguments: nil, timeout: timeout).arrayValue else {
            throw GuestAgentError.protocolViolation("guest-network-get-interfaces did not return a list")
        }
        return list.compactMap(GuestNetworkInterface.init)
    }

    /// Freezes the guest's filesystems (flushing them first); returns how many it froze. Until
    /// `thawFilesystems`, writes in the guest block. Maps to `guest-fsfreeze-freeze`.
    public func freezeFilesystems(timeout: Duration? = nil) async throws -> Int {
        try Self.count(try await execute("guest-fsfreeze-freeze", arguments: nil, timeout: timeout), "guest-fsfreeze-freeze")
    }

    /// Thaws the guest's filesystems; returns how many it thawed (0 when none were frozen). Maps to
    /// `guest-fsfreeze-thaw`.
    public func thawFilesystems(timeout: Duration? = nil) async throws -> Int {
        try Self.count(try await execute("guest-fsfreeze-thaw", arguments: nil, timeout: timeout), "guest-fsfreeze-thaw")
    }

    /// Whether the guest's filesystems are frozen. Maps to `guest-fsfreeze-status`.
    public func freezeStatus() async throws -> GuestFreezeStatus {
        let value = try await execute("guest-fsfreeze-status")
        guard let status = value.stringValue.flatMap(GuestFreezeStatus.init(rawValue:)) else {
            throw GuestAgentError.protocolViolation("guest-fsfreeze-status returned \(value)")
        }
        return status
    }

    private static func count(_ value: JSONValue, _ command: String) throws -> Int {
        guard let count = value.intValue else { throw GuestAgentError.protocolViolation("\(command) returned \(value), not a count") }
        return count
    }
}

/// Whether the guest's filesystems are frozen (`guest-fsfreeze-status`).
public enum GuestFreezeStatus: String, Sendable, Hashable {
    case thawed
    case frozen
}
