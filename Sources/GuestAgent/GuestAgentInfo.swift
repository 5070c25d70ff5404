import QMP

/// What `guest-info` says: the agent's version and the commands it offers.
public struct GuestAgentInfo: Sendable, Hashable {
    public var version: String
    /// The names of the commands the agent has enabled (an administrator can disable some).
    public var enabledCommands: Set<String>

    public init(version: String, enabledCommands: Set<String>) {
        self.version = version
        self.enabledCommands = enabledCommands
    }

    init(_ value: JSONValue) throws {
        guard let version = value["version"]?.stringValue else {
            throw GuestAgentError.protocolViolation("guest-info returned no version: \(value)")
        }
        let commands = value["supported_commands"]?.arrayValue ?? []
        self.init(
            version: version,
            enabledCommands: Set(commands.compactMap { command in
                command["enabled"]?.boolValue == false ? nil : command["name"]?.stringValue
            }))
    }
}

/// What `guest-get-osinfo` says about the guest's operating system (each field as the agent
/// found it; any may be missing).
public struct GuestOSInfo: Sendable, Hashable {
    /// `linux`, `mswindows`, … (os-release `ID`).
    public var id: String?
    public var name: String?
    /// For people: "Debian GNU/Linux 12 (bookworm)".
    public var prettyName: String?
    public var version: String?
    public var versionID: String?
    public var kernelRelease: String?
    public var kernelVersion: String?
    public var machine: String?

    init(_ value: JSONValue) {
        id = value["id"]?.stringValue
        name = value["name"]?.stringValue
        prettyName = value["pretty-name"]?.stringValue
        version = value["version"]?.stringValue
        versionID = value["version-id"]?.stringValue
        kernelRelease = value["kernel-release"]?.stringValue
        kernelVersion = value["kernel-version"]?.stringValue
        machine = value["machine"]?.stringValue
    }
}

/// One of the guest's network interfaces (`guest-network-get-interfaces`).
public struct GuestNetworkInterface: Sendable, Hashable {
    /// One address on the interface.
    public struct Address: Sendable, Hashable {
        /// `ipv4` or `ipv6`.
        public var family: String
        public var address: String
        public var prefix: Int
    }

    public var name: String
    /// The MAC address, when the interface has one.
    public var hardwareAddress: String?
    public var addresses: [Address]

    init?(_ value: JSONValue) {
        guard let name = value["name"]?.stringValue else { return nil }
        self.name = name
        hardwareAddress = value["hardware-address"]?.stringValue
        addresses = (value["ip-addresses"]?.arrayValue ?? []).compactMap { address in
            guard let family = address["ip-address-type"]?.stringValue, let text = address["ip-address"]?.stringValue else { return nil }
            return Address(family: family, address: text, prefix: address["prefix"]?.intValue ?? 0)
        }
    }
}
