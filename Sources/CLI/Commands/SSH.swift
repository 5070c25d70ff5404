import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

/// `joist ssh NAME [-- ARGS…]`: replaces itself with the system's `ssh`, logged into the guest.
struct SSH: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh", abstract: "Open SSH to an instance (with the key injected through cloud-init).",
        discussion: """
            Connects to the guest's address on a Joist network (its DHCP lease or reserved address), or else to a \
            user-mode NIC's host port forwarded to 22. The user is joist, which cloud-init makes when the instance \
            has --ssh-key; the key is --identity, or the ~/.ssh/id_* key whose .pub was injected. Arguments after \
            -- go to ssh's remote command. The address must be reachable from this machine (joistd's host).
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Instance name.") var name: String
    @Option(help: "User to log in as.") var user: String = CloudInitSettings.sshUser
    @Option(help: "Private key file (default: the ~/.ssh/id_* key whose public half the instance has).") var identity: String?
    @Argument(parsing: .postTerminator, help: "Remote command and its arguments.") var arguments: [String] = []

    func run() async throws {
        let instance = try await global.client().call(.GET, global.scoped("/1.0/instances/\(APIClient.segment(name))"), as: Instance.self)
        let target = try SSHTarget.select(for: instance)
        let sshDirectory = FileManager.default.homeDirectoryForCurrentUser.path + "/.ssh"
        let key = identity.map(Paths.absolute) ?? SSHInvocation.defaultIdentity(
            sshDirectory: sshDirectory, injected: instance.config.cloudInit?.sshKeys ?? [],
            read: { FileManager.default.contents(atPath: $0).flatMap { String(data: $0, encoding: .utf8) } })
        let invocation = SSHInvocation(instance: instance, target: target, user: user, identity: key, arguments: arguments)
        try Self.exec(invocation.argv)
    }

    /// Replaces this process with `argv[0]` found on PATH; returns only by throwing.
    static func exec(_ argv: [String]) throws {
        let cArgs = argv.map { strdup($0) } + [nil]
        execvp(argv[0], cArgs)
        let reason = String(cString: strerror(errno))
        throw ValidationError("cannot run \(argv[0]): \(reason) (install openssh-client)")
    }
}
