import CloudInit
import JoistCore
import Testing
import Yams

@Suite("cloud-init NoCloud seed rendering")
struct CloudInitSeedRenderingTests {
    static let key = UserDataTests.key
    static let eth0 = CloudInitSeed.Interface(name: "eth0", mac: MACAddress(qemuSuffix: 0xab_cd_ef))

    private func yaml(_ text: String) throws -> [String: Any] {
        try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    @Test("generated config: meta-data, hostname, keys for the default user and the joist user")
    func generated() throws {
        let settings = CloudInitSettings(sshKeys: [Self.key], hostname: "1234")
        let seed = try CloudInitSeed(instance: "web1", settings: settings, interfaces: [Self.eth0])
        let meta = try yaml(seed.metaData)
        #expect(meta["instance-id"] as? String == "web1-1")
        #expect(meta["local-hostname"] as? String == "1234")
        #expect(meta["public-keys"] == nil)
        #expect(seed.userData.hasPrefix("#cloud-config\n"))
        let user = try yaml(seed.userData)
        #expect(user["hostname"] as? String == "1234")
        #expect(user["ssh_authorized_keys"] as? [String] == [Self.key])
        let users = try #require(user["users"] as? [Any])
        #expect(users.first as? String == "default")
        let joist = try #require(users.last as? [String: Any])
        #expect(joist["name"] as? String == "joist")
        #expect(joist["ssh_authorized_keys"] as? [String] == [Self.key])
        #expect(joist["lock_passwd"] as? Bool == true)
    }

    @Test("the user's config wins: hostname kept, keys appended, users extended")
    func merged() throws {
        let userData = """
            #cloud-config
            fqdn: box.example.org
            ssh_authorized_keys:
              - ssh-rsa AAAAB3NzaC1yc2EAAAAAAAAAAA== theirs
            users:
              - name: alice
            runcmd:
              - [sh, -c, "echo done > /marker"]
            """
        let settings = CloudInitSettings(userData: userData, sshKeys: [Self.key], hostname: "web")
        let seed = try CloudInitSeed(instance: "web1", settings: settings, interfaces: [])
        let user = try yaml(seed.userData)
        #expect(user["hostname"] == nil)
        #expect(user["fqdn"] as? String == "box.example.org")
        #expect(user["ssh_authorized_keys"] as? [String] == ["ssh-rsa AAAAB3NzaC1yc2EAAAAAAAAAAA== theirs", Self.key])
        let users = try #require(user["users"] as? [[String: Any]])
        #expect(users.map { $0["name"] as? String } == ["alice", "joist"])
        #expect((user["runcmd"] as? [[String]])?.first == ["sh", "-c", "echo done > /marker"])
    }

    @Test("without keys nothing about users is added")
    func noKeys() throws {
        let seed = try CloudInitSeed(
            instance: "web1", settings: CloudInitSettings(userData: "#cloud-config\npackages: [curl]\n", generation: 3), interfaces: [])
        let user = try yaml(seed.userData)
        #expect(user["users"] == nil && user["ssh_authorized_keys"] == nil)
        #expect(user["hostname"] as? String == "web1")
        #expect(try yaml(seed.metaData)["instance-id"] as? String == "web1-3")
    }

    @Test("a script passes through; keys then go into meta-data")
    func script() throws {
        let script = "#!/bin/sh\necho hi > /marker\n"
        let seed = try CloudInitSeed(instance: "web1", settings: CloudInitSettings(userData: script, sshKeys: [Self.key]), interfaces: [])
        #expect(seed.userData == script)
        #expect(try yaml(seed.metaData)["public-keys"] as? [String] == [Self.key])
    }

    @Test("network-config v2 matches each NIC by MAC with DHCP")
    func network() throws {
        let seed = try CloudInitSeed(instance: "web1", settings: CloudInitSettings(hostname: "web1"), interfaces: [Self.eth0])
        let config = try yaml(seed.networkConfig)
        #expect(config["version"] as? Int == 2)
        let eth0 = try #require((config["ethernets"] as? [String: Any])?["eth0"] as? [String: Any])
        #expect((eth0["match"] as? [String: Any])?["macaddress"] as? String == "52:54:00:ab:cd:ef")
        #expect(eth0["dhcp4"] as? Bool == true)
    }

    @Test("user NICs without a MAC get QEMU's default MACs, counting over those NICs only")
    func interfaces() throws {
        let mac = try MACAddress(parsing: "52:54:00:00:00:09")
        let nics = [NICSpec(), NICSpec(network: "lan", mac: mac), NICSpec()]
        let interfaces = CloudInitSeed.interfaces(of: nics)
        #expect(interfaces.map(\.name) == ["eth0", "eth1", "eth2"])
        #expect(interfaces.map(\.mac.description) == ["52:54:00:12:34:56", "52:54:00:00:00:09", "52:54:00:12:34:57"])
    }
}
