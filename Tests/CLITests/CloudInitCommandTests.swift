import ArgumentParser
import Foundation
import JoistAPI
import JoistCore
import Testing

@testable import CLI

/// The cloud-init side of `joist launch|create`, `config set`, `info` and `joist ssh`, without a daemon.
@Suite("joist cloud-init options and joist ssh")
struct CloudInitCommandTests {
    static let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIINe4rce216ByVBjT6E9ANJ+XMdMlO5X8x940i5+Cd4l me@laptop"
    static let date = Date(timeIntervalSince1970: 1_760_000_000)

    static func instance(nics: [InstanceNIC] = [], specNICs: [NICSpec] = [], state: InstanceState = .running) -> Instance {
        Instance(
            name: "web", state: state, config: InstanceSpec(name: "web", nics: specNICs, cloudInit: CloudInitSettings(sshKeys: [key])),
            createdAt: date, nics: nics)
    }

    private func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("joist-ci-\(UUID().uuidString)").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("launch reads the key and user-data files; --network and --disk-size are aliases")
    func launchRequest() throws {
        let keyFile = try temporaryFile("# mine\n\(Self.key)\n\n")
        let userData = try temporaryFile("#cloud-config\nruncmd: [[touch, /m]]\n")
        let launch = try Launch.parse([
            "debian-12", "web1", "--ssh-key", keyFile, "--user-data", userData, "--hostname", "box", "--network", "lan",
            "--disk-size", "10GiB",
        ])
        let request = try launch.options.request(name: "web1", kernel: nil)
        #expect(request.cloudInit == InstanceCloudInit(userData: "#cloud-config\nruncmd: [[touch, /m]]\n", sshKeys: [Self.key], hostname: "box"))
        #expect(request.nics == ["network=lan"])
        #expect(launch.diskSize == "10GiB")
        #expect(try Create.parse(["web1"]).options.request(name: "web1", kernel: nil).cloudInit == nil)
    }

    @Test("a private key file is refused before anything is sent")
    func privateKey() throws {
        let file = try temporaryFile("-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n-----END OPENSSH PRIVATE KEY-----\n")
        #expect(throws: ValidationError.self) { try CloudInitOptions.publicKeys(inFile: file) }
    }

    @Test("config set reads @FILE for cloud-init keys and passes other values as they are")
    func configValues() throws {
        let file = try temporaryFile("#cloud-config\n")
        #expect(try Config.Set.value(of: ("cloud-init.user-data", "@" + file)) == "#cloud-config\n")
        #expect(try Config.Set.value(of: ("cloud-init.user-data", "")) == "")
        #expect(try Config.Set.value(of: ("cloud-init.hostname", "@x")) == "@x")
        #expect(throws: ValidationError.self) { try Config.Set.value(of: ("cloud-init.user-data", "@/nonexistent/file")) }
        #expect(try Config.Set.parse(["web", "cloud-init.user-data=@\(file)", "--reapply"]).reapply)
    }

    @Test("info shows the cloud-init settings with the user-data's size and first line only")
    func info() {
        var instance = Self.instance()
        instance.config.cloudInit?.userData = "#cloud-config\nsecret: hunter2\n"
        instance.config.cloudInit?.generation = 3
        let text = Info.text(instance, now: Self.date)
        #expect(text.contains("""
              cloud-init:
                instance-id: web-3
                hostname: web
                ssh-key: ssh-ed25519 me@laptop
                user-data: 30 bytes, #cloud-config
            """))
        #expect(!text.contains("hunter2"))
    }

    @Test("ssh target: a lease first, then the reserved address, then a forward to 22")
    func target() throws {
        let leased = InstanceNIC(name: "eth0", mode: .network, network: "lan", ip: IPv4Address(10, 0, 0, 5), addresses: [IPv4Address(10, 0, 0, 9)])
        #expect(try SSHTarget.select(for: Self.instance(nics: [leased])) == SSHTarget(host: "10.0.0.9", port: 22))
        let reserved = InstanceNIC(name: "eth0", mode: .network, network: "lan", ip: IPv4Address(10, 0, 0, 5))
        #expect(try SSHTarget.select(for: Self.instance(nics: [InstanceNIC(name: "eth1", mode: .user), reserved])) == SSHTarget(host: "10.0.0.5", port: 22))
        let forwards = [
            HostForward(proto: .tcp, hostAddress: "127.0.0.1", hostPort: 8080, guestPort: 80),
            HostForward(proto: .tcp, hostAddress: "0.0.0.0", hostPort: 2222, guestPort: 22),
        ]
        let user = Self.instance(nics: [InstanceNIC(name: "eth0", mode: .user)], specNICs: [NICSpec(hostForwards: forwards)])
        #expect(try SSHTarget.select(for: user) == SSHTarget(host: "127.0.0.1", port: 2222))
    }

    @Test("ssh target: clear errors without an address or a running guest", arguments: [
        (Self.instance(nics: [InstanceNIC(name: "eth0", mode: .user)], specNICs: [NICSpec()]), "no address to reach over SSH"),
        (Self.instance(state: .stopped), "start it first"),
    ])
    func noTarget(instance: Instance, fragment: String) {
        #expect { try SSHTarget.select(for: instance) } throws: { ($0 as? JoistError)?.message.contains(fragment) == true }
    }

    @Test("ssh argv: identity, port, user, a per-instance host key alias and the remote command after --")
    func argv() {
        let instance = Self.instance()
        let invocation = SSHInvocation(
            instance: instance, target: SSHTarget(host: "127.0.0.1", port: 2222), user: "joist", identity: "/home/me/.ssh/id_ed25519",
            arguments: ["-x", "uname", "-a"])
        #expect(invocation.argv == [
            "ssh", "-o", "HostKeyAlias=joist.default.web.1760000000", "-o", "StrictHostKeyChecking=accept-new",
            "-i", "/home/me/.ssh/id_ed25519", "-o", "IdentitiesOnly=yes", "-p", "2222", "-l", "joist", "127.0.0.1", "--", "-x", "uname", "-a",
        ])
        let plain = SSHInvocation(instance: instance, target: SSHTarget(host: "10.0.0.9", port: 22), user: "debian", identity: nil, arguments: [])
        #expect(plain.argv.suffix(5) == ["-p", "22", "-l", "debian", "10.0.0.9"])
    }

    @Test("the default identity is the ~/.ssh key whose public half was injected")
    func defaultIdentity() {
        let files = [
            "/h/.ssh/id_rsa.pub": "ssh-rsa AAAAB3NzaC1yc2EAAAAAAAAAAA== other", "/h/.ssh/id_rsa": "private",
            "/h/.ssh/id_ecdsa.pub": Self.key.replacingOccurrences(of: "me@laptop", with: "renamed"), "/h/.ssh/id_ecdsa": "private",
        ]
        #expect(SSHInvocation.defaultIdentity(sshDirectory: "/h/.ssh", injected: [Self.key], read: { files[$0] }) == "/h/.ssh/id_ecdsa")
        #expect(SSHInvocation.defaultIdentity(sshDirectory: "/h/.ssh", injected: [], read: { files[$0] }) == nil)
    }
}
