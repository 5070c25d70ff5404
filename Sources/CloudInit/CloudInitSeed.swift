public import JoistCore
import Yams

/// The three files of a NoCloud seed, rendered from an instance's cloud-init settings and NICs. Pure:
/// the daemon writes them into a `cidata` ISO at every start, so the seed is never stale.
///
/// What Joist adds to the user's configuration (documented in README):
/// - meta-data: `instance-id` (`NAME-GENERATION`) and `local-hostname` (the hostname, else the name).
/// - `#cloud-config` user-data (the user's, or an empty one): `hostname` unless the user's config sets
///   `hostname` or `fqdn`; with keys, the keys appended to `ssh_authorized_keys` (the image's default
///   user) and a user `joist` (passwordless sudo, the same keys) appended to `users` (`[default,
///   joist]` when the user's config has no `users`; nothing when it already names `joist`).
/// - Script, archive or multipart user-data is passed through untouched; the keys then reach the
///   image's default user through meta-data's `public-keys`.
/// - network-config (v2): each NIC matched by its MAC address, with DHCP. Addresses reserved on
///   Joist networks come from their DHCP server, which knows the gateway and DNS as well.
public struct CloudInitSeed: Equatable, Sendable {
    public var metaData: String
    public var userData: String
    public var networkConfig: String

    /// The user made for the injected keys (`CloudInitSettings.sshUser`).
    public static let defaultUser = CloudInitSettings.sshUser

    /// A guest NIC as cloud-init matches it.
    public struct Interface: Equatable, Sendable {
        public var name: String
        public var mac: MACAddress
        public init(name: String, mac: MACAddress) {
            self.name = name
            self.mac = mac
        }
    }

    /// The seed of instance `name`; `settings.userData` must be valid (`UserData(validating:)`).
    public init(instance name: String, settings: CloudInitSettings, interfaces: [Interface]) throws(JoistError) {
        let hostname = settings.hostname ?? name
        let userData = try settings.userData.map { text throws(JoistError) in try UserData(validating: text) } ?? .cloudConfig(Node.Mapping([]))
        var meta: [(Node, Node)] = [
            (Self.key("instance-id"), Self.string(settings.instanceID(for: name))), (Self.key("local-hostname"), Self.string(hostname)),
        ]
        switch userData {
        case .cloudConfig(let mapping):
            self.userData = try Self.render(Self.merged(mapping, hostname: hostname, keys: settings.sshKeys), header: UserData.cloudConfigHeader)
        case .script, .archive:
            self.userData = settings.userData ?? ""
            if !settings.sshKeys.isEmpty { meta.append((Self.key("public-keys"), Self.list(settings.sshKeys))) }
        }
        metaData = try Self.render(.mapping(Node.Mapping(meta)))
        networkConfig = try Self.render(Self.network(interfaces))
    }

    /// The guest MAC of each NIC, named as Joist names it: the stored MAC, or for a user NIC without
    /// one QEMU's default (`52:54:00:12:34:56`, counting up over the NICs without a MAC, in order).
    public static func interfaces(of nics: [NICSpec]) -> [Interface] {
        var defaults = 0
        return NICSpec.numbered(nics).enumerated().map { index, nic in
            let name = nic.name ?? "eth\(index)"
            if let mac = nic.mac { return Interface(name: name, mac: mac) }
            defer { defaults += 1 }
            return Interface(name: name, mac: MACAddress(qemuSuffix: 0x12_34_56 + UInt32(defaults)))
        }
    }

    /// The user's mapping with Joist's hostname, keys and user added where the user has not set them.
    static func merged(_ config: Node.Mapping, hostname: String, keys: [String]) -> Node {
        var config = config
        if config["hostname"] == nil && config["fqdn"] == nil { config["hostname"] = string(hostname) }
        guard !keys.isEmpty else { return .mapping(config) }
        var authorized = config["ssh_authorized_keys"]?.sequence ?? Node.Sequence([])
        authorized.append(contentsOf: keys.map(string))
        config["ssh_authorized_keys"] = .sequence(authorized)
        switch config["users"] {
        case nil:
            config["users"] = .sequence(Node.Sequence([key("default"), joistUser(keys)]))
        case .sequence(var users)?:
            let named = users.contains { $0.mapping?["name"]?.string == defaultUser }
            if !named { users.append(joistUser(keys)) }
            config["users"] = .sequence(users)
        default:
            break
        }
        return .mapping(config)
    }

    /// The `joist` user: key-only login, passwordless sudo, a locked password.
    static func joistUser(_ keys: [String]) -> Node {
        .mapping(Node.Mapping([
            (key("name"), key(defaultUser)), (key("gecos"), key("Joist")), (key("shell"), key("/bin/bash")),
            (key("sudo"), string("ALL=(ALL) NOPASSWD:ALL")), (key("lock_passwd"), Node("true")),
            (key("ssh_authorized_keys"), list(keys)),
        ]))
    }

    /// network-config version 2: every NIC matched by MAC, with DHCP.
    static func network(_ interfaces: [Interface]) -> Node {
        let ethernets = interfaces.map { interface -> (Node, Node) in
            let match = Node.mapping(Node.Mapping([(key("macaddress"), string(interface.mac.description))]))
            return (key(interface.name), .mapping(Node.Mapping([(key("match"), match), (key("dhcp4"), Node("true"))])))
        }
        return .mapping(Node.Mapping([(key("version"), Node("2")), (key("ethernets"), .mapping(Node.Mapping(ethernets)))]))
    }

    /// A key or fixed word Joist writes: plain.
    static func key(_ text: String) -> Node { Node(text) }
    /// A value from the user or the host: always a string, whatever it looks like (`1234`, `yes`).
    static func string(_ text: String) -> Node { Node(text, Tag(.str), .doubleQuoted) }
    static func list(_ items: [String]) -> Node { .sequence(Node.Sequence(items.map(string))) }

    private static func render(_ node: Node, header: String? = nil) throws(JoistError) -> String {
        do {
            let body = try Yams.serialize(node: node, width: -1)
            return header.map { $0 + "\n" + body } ?? body
        } catch {
            throw .hostFailure("cannot write the cloud-init seed: \(error)")
        }
    }
}
