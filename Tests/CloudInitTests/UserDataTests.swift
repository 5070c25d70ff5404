import CloudInit
import JoistCore
import Testing

@Suite("cloud-init user-data and settings validation")
struct UserDataTests {
    @Test("accepted user-data kinds", arguments: [
        ("#cloud-config\nruncmd:\n  - [touch, /marker]\n", "cloud-config"),
        ("#cloud-config\n", "cloud-config"),
        ("#!/bin/sh\necho hi > /marker\n", "script"),
        ("#cloud-config-archive\n- type: text/cloud-config\n  content: 'hostname: a'\n", "archive"),
        ("Content-Type: multipart/mixed; boundary=\"X\"\nMIME-Version: 1.0\n\n--X--\n", "archive"),
    ])
    func accepted(text: String, kind: String) throws {
        let parsed = try UserData(validating: text)
        switch parsed {
        case .cloudConfig: #expect(kind == "cloud-config")
        case .script: #expect(kind == "script")
        case .archive: #expect(kind == "archive")
        }
    }

    @Test("refused user-data names the problem", arguments: [
        ("runcmd: [ls]\n", "must start with a #cloud-config line"),
        ("#cloud-config\n- a\n- b\n", "must be a YAML mapping"),
        ("#cloud-config\nruncmd: [ls\nother: 1\n", "line 3"),
        ("#cloud-config\nkey: value\n  bad: indent\n", "line 3, column"),
        ("#cloud-config-archive\nnot: a list\n", "a YAML list of parts"),
        ("", "its first line is ''"),
    ])
    func refused(text: String, fragment: String) {
        #expect {
            try UserData(validating: text)
        } throws: { error in
            let message = (error as? JoistError)?.message ?? ""
            return (error as? JoistError)?.code == .invalidArgument && message.contains(fragment)
        }
    }

    static let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIINe4rce216ByVBjT6E9ANJ+XMdMlO5X8x940i5+Cd4l me@laptop"

    @Test("a real public key passes, with or without a comment")
    func goodKeys() throws {
        try CloudInitSettings.validateSSHKey(Self.key)
        try CloudInitSettings.validateSSHKey(String(Self.key.prefix { $0 != "m" }).trimmingCharacters(in: .whitespaces))
    }

    @Test("bad public keys are refused", arguments: [
        "ssh-dss AAAAB3NzaC1kc3MAAAAAAAAAAA== old",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "ssh-ed25519 not*base64",
        "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIINe4rce216ByVBjT6E9ANJ+XMdMlO5X8x940i5+Cd4l",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIINe4rce216ByVBjT6E9ANJ+XMdMlO5X8x940i5+Cd4l a\ncommand=\"rm\" ssh-rsa",
        "ssh-ed25519",
    ])
    func badKeys(key: String) {
        #expect(throws: JoistError.self) { try CloudInitSettings.validateSSHKey(key) }
    }

    @Test("hostnames are RFC 1123 labels", arguments: [
        ("web1", true), ("a", true), ("Web-1", true), (String(repeating: "a", count: 63), true), ("1234", true),
        ("", false), ("-web", false), ("web-", false), ("web.lan", false), ("web_1", false), (String(repeating: "a", count: 64), false),
        ("wéb", false),
    ])
    func hostnames(name: String, valid: Bool) {
        #expect(((try? CloudInitSettings.validateHostname(name)) != nil) == valid)
    }

    @Test("settings: user-data changes keep the instance-id, reapply moves it")
    func reapply() throws {
        var spec = InstanceSpec(name: "web1")
        spec = try spec.applying([("cloud-init.user-data", "#cloud-config\n")])
        #expect(spec.cloudInit?.instanceID(for: "web1") == "web1-1")
        spec = try spec.applying([("cloud-init.user-data", "#cloud-config\nhostname: x\n")])
        #expect(spec.cloudInit?.instanceID(for: "web1") == "web1-1")
        spec = try spec.applying([("cloud-init.user-data", "#!/bin/sh\n"), ("cloud-init.reapply", "true")])
        #expect(spec.cloudInit?.instanceID(for: "web1") == "web1-2")
        #expect(spec.hasCloudInitSeed)
        spec = try spec.applying([("cloud-init.user-data", "")])
        #expect(!spec.hasCloudInitSeed)
        #expect(throws: JoistError.self) { try spec.applying([("cloud-init.reapply", "true")]) }
        #expect(throws: JoistError.self) { try spec.applying([("cloud-init.colour", "blue")]) }
        spec = try spec.applying([("cloud-init.ssh-keys", Self.key + "\n\n")])
        #expect(spec.cloudInit?.sshKeys == [Self.key])
        #expect(spec.cloudInit?.generation == 2)
    }

    @Test("the spec validates its cloud-init settings")
    func specValidation() {
        let spec = InstanceSpec(name: "web1", cloudInit: CloudInitSettings(hostname: "bad_name"))
        #expect(throws: JoistError.self) {
            try spec.validate(host: HostResources(cpus: 2, memory: .gibibytes(1)), fileExists: { _ in true })
        }
    }
}
