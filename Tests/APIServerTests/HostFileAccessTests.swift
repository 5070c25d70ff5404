import Foundation
import JoistAPI
import JoistCore
import Testing

@testable import APIServer

/// Kernels, initrds and file disks are files on joistd's host: token holders may never name them, in
/// any role, and learn nothing about them; the local administrator on the Unix socket may.
@Suite("API: host files are named only on the Unix socket")
struct HostFileAccessTests {
    static let phrase = "only the local administrator on joistd's Unix socket may name files on joistd's host"

    static func conforms(_ answer: APIClientHelper.Answer, _ method: String, _ template: String) -> [String] {
        APIBehaviourTests.conforms(answer, method, template)
    }

    static func message(_ answer: APIClientHelper.Answer) -> String { VolumeTransferAPITests.message(answer) }

    @Test("a create names its kernel, initrd and file disks as host files; volumes and malformed sources are none")
    func createPaths() {
        let disks = ["/srv/a,,b.qcow2,bus=virtio-scsi", "default/data,cache=none", "/srv/c.raw,bogus=1", "relative.qcow2", "../up"]
        let create = InstanceCreate(name: "web", kernel: "/boot/vmlinuz", initrd: "/boot/initrd.img", disks: disks)
        #expect(create.hostPaths == ["/boot/vmlinuz", "/boot/initrd.img", "/srv/a,b.qcow2", "/srv/c.raw"])
        #expect(InstanceCreate(name: "web", kernel: "", disks: ["default/root"], image: "debian").hostPaths == [])
        #expect(InstanceCreate(name: "web", kernel: "boot/vmlinuz").hostPaths == ["boot/vmlinuz"], "a relative path names a file too")
    }

    @Test("config settings name host files through kernel and initrd; an empty initrd removes it and names none")
    func settingPaths() {
        func patch(_ settings: [(String, String)]) -> InstanceConfigPatch {
            InstanceConfigPatch(settings: settings.map { InstanceConfigPatch.Setting(key: $0.0, value: $0.1) })
        }
        #expect(patch([("cpus", "2"), ("kernel", "/boot/other"), ("initrd", "/boot/initrd")]).hostPaths == ["/boot/other", "/boot/initrd"])
        #expect(patch([("initrd", ""), ("cmdline", "/etc/passwd"), ("memory", "1GiB")]).hostPaths == [])
        #expect(InstanceDiskAttach(disk: "/srv/x.qcow2,cache=none").hostPaths == ["/srv/x.qcow2"])
        #expect(InstanceDiskAttach(disk: "default/data,bus=virtio-scsi").hostPaths == [])
    }

    @Test("over TCP a create naming host files is 403 for every role, before the files are looked at, and audited as denied")
    func createOverTCP() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        let kernel = fixture.kernel
        try await fixture.withClient { client in
            for caller in [APIFixture.Caller.operator, .admin, .teamOperator, .teamAdmin] {
                let answer = try await client.request(
                    .post, "/1.0/instances", as: caller, body: #"{"name": "web", "kernel": "\#(kernel)", "memory": "64MiB"}"#)
                #expect(answer.status == 403, "\(caller)")
                #expect(answer.errorCode == "forbidden")
                #expect(Self.conforms(answer, "post", "/1.0/instances") == [])
                #expect(Self.message(answer).hasPrefix("cannot create instance web: \(Self.phrase) (\(kernel)); remote callers give disks as pool volumes"))
            }
            // Files that do not exist get the same answer: a token holder learns nothing about the host.
            let missing = try await client.request(
                .post, "/1.0/instances", as: .admin,
                body: #"{"name": "probe", "kernel": "/nonexistent/vmlinuz", "disks": ["default/data", "/nonexistent/disk.qcow2"]}"#)
            #expect(missing.status == 403)
            #expect(Self.message(missing).contains("(/nonexistent/vmlinuz, /nonexistent/disk.qcow2)"))
            #expect(try await client.request(.get, "/1.0/instances", as: .viewer).decode(Page<Instance>.self).items == [])
            let audit = try await client.request(.get, "/1.0/audit?action=instance.create", as: .admin).decode(Page<AuditEntry>.self)
            #expect(audit.items.map { "\($0.actor) \($0.target ?? "") \($0.outcome.rawValue) \($0.status)" } == [
                "operator web denied 403", "admin web denied 403", "teamoperator web denied 403", "teamadmin web denied 403",
                "admin probe denied 403",
            ])
        }
    }

    @Test("on the Unix socket the local administrator still creates an instance from a kernel, an initrd and a file disk")
    func createOverSocket() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        let kernel = fixture.kernel
        let disk = fixture.directory + "/disk.raw"
        try Data(repeating: 0, count: 4096).write(to: URL(fileURLWithPath: disk))
        let instance = try await fixture.withLocalClient { client in
            let answer = try await client.request(
                .post, "/1.0/instances", as: .anonymous,
                body: #"{"name": "web", "kernel": "\#(kernel)", "initrd": "\#(kernel)", "disks": ["\#(disk)"], "memory": "64MiB"}"#)
            #expect(answer.status == 201, "\(Self.message(answer))")
            return try answer.decode(Instance.self)
        }
        #expect(instance.config.kernel == kernel && instance.config.initrd == kernel)
        #expect(instance.config.disks.map(\.path) == [disk])
    }

    @Test("over TCP setting kernel or initrd is 403 and changes nothing; other settings, and removing the initrd, are not")
    func configure() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        try #require(try await fixture.createInstance("vm", initrd: true).status == 201)
        let kernel = fixture.kernel
        try await fixture.withClient { client in
            for key in ["kernel", "initrd"] {
                let body = #"{"settings": [{"key": "cpus", "value": "2"}, {"key": "\#(key)", "value": "/boot/other"}]}"#
                let refused = try await client.request(.patch, "/1.0/instances/vm/config", as: .admin, body: body)
                #expect(refused.status == 403)
                #expect(Self.conforms(refused, "patch", "/1.0/instances/{name}/config") == [])
                #expect(Self.message(refused).hasPrefix("cannot configure instance vm: \(Self.phrase) (/boot/other); kernel and initrd"))
            }
            let unchanged = try await client.request(.get, "/1.0/instances/vm", as: .viewer).decode(Instance.self)
            #expect(unchanged.config.cpus == 1 && unchanged.config.kernel == kernel && unchanged.config.initrd == kernel)

            let body = #"{"settings": [{"key": "cpus", "value": "2"}, {"key": "initrd", "value": ""}]}"#
            let allowed = try await client.request(.patch, "/1.0/instances/vm/config", as: .operator, body: body)
            #expect(allowed.status == 200, "\(Self.message(allowed))")
            let changed = try allowed.decode(Instance.self)
            #expect(changed.config.cpus == 2 && changed.config.initrd == nil)
        }
        let local = try await fixture.withLocalClient { client in
            let body = #"{"settings": [{"key": "initrd", "value": "\#(kernel)"}]}"#
            return try await client.request(.patch, "/1.0/instances/vm/config", as: .anonymous, body: body)
        }
        #expect(local.status == 200, "\(Self.message(local))")
        #expect(try local.decode(Instance.self).config.initrd == kernel)
    }

    @Test("over TCP attaching a disk by host path is 403; a volume attaches as before")
    func attach() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        try #require(try await fixture.createInstance("vm").status == 201)
        let disk = fixture.directory + "/disk.raw"
        try await fixture.withClient { client in
            let refused = try await client.request(.post, "/1.0/instances/vm/disks", as: .admin, body: #"{"disk": "\#(disk),cache=none"}"#)
            #expect(refused.status == 403)
            #expect(Self.conforms(refused, "post", "/1.0/instances/{name}/disks") == [])
            #expect(Self.message(refused) == "cannot attach a disk to instance vm: \(Self.phrase) (\(disk)); attach a pool volume (POOL/NAME)")

            let volume = try await client.request(.post, "/1.0/storage-pools/default/volumes", as: .operator, body: #"{"name": "data", "size": "1GiB"}"#)
            try #require(volume.status == 201, "\(Self.message(volume))")
            let attached = try await client.request(.post, "/1.0/instances/vm/disks", as: .operator, body: #"{"disk": "default/data"}"#)
            #expect(attached.status == 200, "\(Self.message(attached))")
            #expect(try attached.decode(Instance.self).config.disks.map(\.volume?.description) == ["default/data"])
        }
        let local = try await fixture.withLocalClient { client in
            try await client.request(.post, "/1.0/instances/vm/disks", as: .anonymous, body: #"{"disk": "\#(disk)"}"#)
        }
        #expect(local.status == 400, "the socket refuses files here as before: only volumes attach to an existing instance")
    }
}
