import Foundation

/// What an instance's cloud-init NoCloud seed is made from: the user's own user-data, the SSH public
/// keys to inject, and the guest's hostname. The seed itself is regenerated from these at every start.
///
/// The instance-id the guest sees is `NAME-GENERATION`: stable across restarts, so cloud-init runs its
/// per-instance modules once; `reapply()` moves to the next generation, so the next boot applies
/// the configuration again.
public struct CloudInitSettings: Codable, Sendable, Equatable {
    /// The user's user-data as given: a `#cloud-config` mapping, a `#!` script, a
    /// `#cloud-config-archive` or MIME multipart (validated by the daemon, which parses YAML).
    public var userData: String?
    /// SSH public key lines (`ssh-ed25519 AAAA… comment`).
    public var sshKeys: [String]
    /// The guest's hostname; the instance's name when not given.
    public var hostname: String?
    /// Counts the times the configuration was reapplied; part of the instance-id.
    public var generation: Int

    public init(userData: String? = nil, sshKeys: [String] = [], hostname: String? = nil, generation: Int = 1) {
        self.userData = userData
        self.sshKeys = sshKeys
        self.hostname = hostname
        self.generation = generation
    }

    /// The user the seed makes for the injected keys, and whom `joist ssh` logs in as by default.
    public static let sshUser = "joist"

    /// Whether anything is set: only then does the instance get a seed.
    public var hasInput: Bool { userData != nil || !sshKeys.isEmpty || hostname != nil }

    /// The instance-id of instance `name`'s seed.
    public func instanceID(for name: String) -> String { "\(name)-\(generation)" }

    /// Moves to a new instance-id, so cloud-init treats the next boot as a new instance.
    public mutating func reapply() { generation += 1 }

    /// The largest user-data accepted: generous for cloud-config, small enough to keep in the record.
    public static let maxUserDataBytes = 256 << 10

    /// Checks the keys, the hostname and the user-data's size (its YAML is checked where Yams is).
    public func validate() throws(JoistError) {
        for key in sshKeys { try Self.validateSSHKey(key) }
        if let hostname { try Self.validateHostname(hostname) }
        if let userData {
            guard userData.utf8.count <= Self.maxUserDataBytes else {
                throw .invalidArgument("user-data is \(userData.utf8.count) bytes; at most \(Self.maxUserDataBytes) are accepted")
            }
        }
        guard generation >= 1 else { throw .invalidArgument("cloud-init generation must be at least 1 (got \(generation))") }
    }

    /// Key types OpenSSH accepts in `authorized_keys`.
    public static let sshKeyTypes: Set<String> = [
        "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ]

    /// A public key line: a known type, then base64 whose blob names the same type, then an optional
    /// comment; one line, so nothing else can ride into `authorized_keys`.
    public static func validateSSHKey(_ line: String) throws(JoistError) {
        guard !line.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw .invalidArgument("an SSH public key must be one line")
        }
        let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard fields.count >= 2 else {
            throw .invalidArgument("'\(line.prefix(40))' is not an SSH public key: expected TYPE BASE64 [COMMENT]")
        }
        let type = String(fields[0])
        guard sshKeyTypes.contains(type) else {
            let known = sshKeyTypes.sorted().joined(separator: ", ")
            throw .invalidArgument("SSH key type '\(type.prefix(40))' is not one of \(known) (is this the private key?)")
        }
        guard let blob = Data(base64Encoded: String(fields[1])), blob.count > 4 else {
            throw .invalidArgument("the \(type) key's data is not valid base64")
        }
        let length = blob.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        guard blob.count >= 4 + length, String(decoding: blob.dropFirst(4).prefix(length), as: UTF8.self) == type else {
            throw .invalidArgument("the \(type) key's data does not hold a \(type) key")
        }
    }

    /// An RFC 1123 label: 1–63 letters, digits and hyphens, not starting or ending with a hyphen.
    public static func validateHostname(_ name: String) throws(JoistError) {
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-") }
        guard (1...63).contains(name.count), allowed, name.first != "-", name.last != "-" else {
            throw .invalidArgument(
                "hostname '\(name.prefix(70))' is not valid: 1 to 63 letters, digits and hyphens, not starting or ending with a hyphen")
        }
    }
}
