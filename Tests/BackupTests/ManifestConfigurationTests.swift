import Backup
import Foundation
import JoistCore
import JoistTesting
import Testing

/// The instance configuration a manifest carries, so a backup restores after its instance changed or
/// went; manifests without one (or with one this joistd cannot read) still read.
@Suite("Backup manifests: the instance's configuration")
struct ManifestConfigurationTests {
    @Test("a backup records the configuration it is given, and it reads back from the store")
    func recorded() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let spec = InstanceSpec(name: "web-1", kernel: "/boot/vmlinuz", cpus: 2, disks: [DiskSpec(volume: VolumeReference(pool: "default", name: "data"))])
            let written = try await BackupWriter(store: store).write(
                project: "default", instance: "web-1", disks: ["default/data": MemorySource(randomBytes(1000, seed: 7))], configuration: spec)
            let read = try store.manifest(project: "default", instance: "web-1", id: written.id)
            #expect(read.configuration == spec)
            #expect(read.id == written.id && read.disks == written.disks)
        }
    }

    @Test("a manifest without a configuration, or with one that does not decode, reads with none")
    func olderOrForeign() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let written = try await BackupWriter(store: store).write(
                project: "default", instance: "web-1", disks: ["root": MemorySource(randomBytes(1000, seed: 8))])
            let path = store.layout.manifestFile(project: "default", instance: "web-1", id: written.id)
            var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
            #expect(json["configuration"] == nil, "no configuration given, none written")
            #expect(try store.manifest(project: "default", instance: "web-1", id: written.id).configuration == nil)

            json["configuration"] = ["name": "web-1", "cpus": "many"]
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
            let foreign = try store.manifest(project: "default", instance: "web-1", id: written.id)
            #expect(foreign.configuration == nil)
            #expect(foreign.disks == written.disks)
        }
    }
}
