import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

/// The cloud-init options of `joist create` and `joist launch`: any of them gives the instance a
/// NoCloud seed (a `cidata` CD-ROM) made from them.
struct CloudInitOptions: ParsableArguments {
    @Option(
        name: .customLong("ssh-key"),
        help: ArgumentHelp("SSH public key file (each key line in it) for the guest's default user and the user joist; repeat for more.", valueName: "file")
    ) var sshKeyFiles: [String] = []
    @Option(name: .customLong("user-data"), help: ArgumentHelp("cloud-init user-data file: #cloud-config YAML or a #! script.", valueName: "file"))
    var userDataFile: String?
    @Option(help: "The guest's hostname, set by cloud-init (default: the instance's name).") var hostname: String?

    /// The request's cloud-init part, with the files read here (the daemon may be on another host);
    /// nil when no option is given.
    func request() throws -> InstanceCloudInit? {
        guard !sshKeyFiles.isEmpty || userDataFile != nil || hostname != nil else { return nil }
        let keys = try sshKeyFiles.flatMap { try Self.publicKeys(inFile: $0) }
        return InstanceCloudInit(
            userData: try userDataFile.map { try Self.read($0, what: "user-data") }, sshKeys: keys.isEmpty ? nil : keys, hostname: hostname)
    }

    /// The key lines of a public key file (`authorized_keys` style: blank lines and `#` comments
    /// skipped). A private key is refused here, before it leaves the machine.
    static func publicKeys(inFile path: String) throws -> [String] {
        let text = try read(path, what: "SSH key")
        guard !text.contains("PRIVATE KEY-----") else {
            throw ValidationError("\(path) is a private key: give its public half (\(path).pub)")
        }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        let keys = lines.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard !keys.isEmpty else { throw ValidationError("\(path) holds no SSH public key") }
        return keys
    }

    /// A file's text; `@FILE` values of `config set` read through here too.
    static func read(_ path: String, what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read the \(what) file \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("the \(what) file \(path) is not UTF-8 text") }
        return text
    }
}
