import Foundation
import JoistAPI
import JoistCore

/// Where `joist ssh` connects, chosen from what the daemon knows of an instance (pure, tested).
struct SSHTarget: Equatable {
    var host: String
    var port: UInt16

    /// The guest's address on a Joist network (a DHCP lease, else the address reserved for its NIC),
    /// else a user-mode NIC's TCP forward to guest port 22 (a forward listening on every address is
    /// reached on 127.0.0.1). Throws a clear error when neither is known or the guest is not running.
    static func select(for instance: Instance) throws -> SSHTarget {
        guard instance.state.hasProcess else {
            throw JoistError.invalidState("instance \(instance.name) is \(instance.state.rawValue): start it first")
        }
        if let address = instance.nics.lazy.compactMap({ $0.addresses.first ?? $0.ip }).first {
            return SSHTarget(host: address.description, port: 22)
        }
        let forwards = instance.config.nics.filter { $0.mode == .user }.flatMap(\.hostForwards)
        if let forward = forwards.first(where: { $0.proto == .tcp && $0.guestPort == 22 }) {
            let host = forward.hostAddress.isEmpty || forward.hostAddress == "0.0.0.0" ? "127.0.0.1" : forward.hostAddress
            return SSHTarget(host: host, port: forward.hostPort)
        }
        throw JoistError.invalidState(
            "instance \(instance.name) has no address to reach over SSH: give it a NIC on a Joist network (--network NAME) or a user NIC forwarding a host port to 22 (--nic user,hostfwd=tcp:127.0.0.1:2222-:22)")
    }
}

/// The `ssh` command line for an instance.
struct SSHInvocation: Equatable {
    var target: SSHTarget
    var user: String
    var identity: String?
    /// Names the guest's host key in `known_hosts` after the instance and its creation time: a new
    /// instance on a reused address is a new host, not a changed key.
    var hostKeyAlias: String
    var arguments: [String]

    init(instance: Instance, target: SSHTarget, user: String, identity: String?, arguments: [String]) {
        self.target = target
        self.user = user
        self.identity = identity
        self.hostKeyAlias = "joist.\(instance.project).\(instance.name).\(Int(instance.createdAt.timeIntervalSince1970))"
        self.arguments = arguments
    }

    var argv: [String] {
        var argv = ["ssh", "-o", "HostKeyAlias=\(hostKeyAlias)", "-o", "StrictHostKeyChecking=accept-new"]
        if let identity { argv += ["-i", identity, "-o", "IdentitiesOnly=yes"] }
        argv += ["-p", String(target.port), "-l", user, target.host]
        // `--` keeps a remote command that starts with `-` from being read as an ssh option.
        if !arguments.isEmpty { argv += ["--"] + arguments }
        return argv
    }

    /// The private key whose public half (`KEY.pub`) is among `injected`, from the usual key files in
    /// `sshDirectory`; nil lets ssh pick (its agent, its defaults).
    static func defaultIdentity(sshDirectory: String, injected: [String], read: (String) -> String?) -> String? {
        let injectedBlobs = Set(injected.compactMap(blob))
        for name in ["id_ed25519", "id_ecdsa", "id_rsa", "id_ed25519_sk", "id_ecdsa_sk"] {
            let path = sshDirectory + "/" + name
            guard let text = read(path + ".pub"), let key = blob(of: text), injectedBlobs.contains(key), read(path) != nil else { continue }
            return path
        }
        return nil
    }

    /// A key line's base64 field: what identifies the key, whatever its comment.
    private static func blob(of line: String) -> String? {
        let fields = line.split(whereSeparator: \.isWhitespace)
        return fields.count >= 2 ? String(fields[1]) : nil
    }
}
