import Foundation
import JoistCore
import QEMUDriver
import Testing

@Suite("Disks in the QEMU argv")
struct DiskArgvTests {
    let builder = QEMUArgvBuilder(binary: "qemu-system-x86_64")
    let paths = RuntimePaths(stateDirectory: "/var/lib/joist", instance: "web-1")

    /// The JSON objects given to `option` (`-blockdev`, `-device`), decoded.
    private func objects(_ option: String, in argv: [String]) throws -> [[String: Any]] {
        try argv.indices.filter { argv[$0] == option }.map { index in
            try #require(try JSONSerialization.jsonObject(with: Data(argv[index + 1].utf8)) as? [String: Any])
        }
    }

    private func argv(_ disks: [DiskSpec], machine: MachineType = .q35) throws -> [String] {
        let spec = InstanceSpec(name: "web-1", kernel: "/k", disks: disks, machine: machine)
        return try builder.argv(for: spec, project: "default", paths: paths, accelerator: .tcg) { _ in ("/pool/v.qcow2", .qcow2) }
    }

    @Test("each cache mode maps to cache.direct and cache.no-flush on both nodes and the device's write-cache", arguments: [
        (DiskCache.uncached, true, false, "on"), (.writeback, false, false, "on"), (.writethrough, false, false, "off"),
        (.directsync, true, false, "off"), (.unsafe, false, true, "on"),
    ])
    func cacheModes(mode: DiskCache, direct: Bool, noFlush: Bool, writeCache: String) throws {
        for bus in DiskBus.allCases {
            let argv = try argv([DiskSpec(path: "/a.img", format: .raw, bus: bus, cache: mode)])
            let nodes = try objects("-blockdev", in: argv)
            #expect(nodes.count == 2)
            for node in nodes {
                let cache = try #require(node["cache"] as? [String: Bool])
                #expect(cache == ["direct": direct, "no-flush": noFlush])
            }
            let device = try #require(try objects("-device", in: argv).first { $0["drive"] != nil })
            #expect(device["write-cache"] as? String == writeCache)
        }
    }

    @Test("no cache mode and no discard leave QEMU's defaults alone")
    func defaults() throws {
        let argv = try argv([DiskSpec(path: "/a.img", format: .raw, discard: false)])
        for node in try objects("-blockdev", in: argv) {
            #expect(node["cache"] == nil && node["discard"] == nil && node["read-only"] == nil)
        }
        #expect(try objects("-device", in: argv).allSatisfy { $0["write-cache"] == nil })
    }

    @Test("q35 gives each virtio-blk disk a root port of its own, plus spares; SCSI disks share one controller")
    func q35Ports() throws {
        let argv = try argv([
            DiskSpec(path: "/a.img", format: .raw), DiskSpec(path: "/b.img", format: .raw, bus: .virtioSCSI),
            DiskSpec(volume: VolumeReference(pool: "p", name: "v")), DiskSpec(path: "/c.img", format: .raw, bus: .virtioSCSI),
        ])
        let devices = try objects("-device", in: argv)
        let ports = devices.filter { $0["driver"] as? String == "pcie-root-port" }
        #expect(ports.count == 2 + InstanceSpec.spareHotplugPorts)
        #expect(Set(ports.compactMap { $0["chassis"] as? Int }).count == ports.count)
        #expect(devices.filter { $0["driver"] as? String == "virtio-scsi-pci" }.map { $0["id"] as? String } == ["scsi0"])
        let disks = devices.filter { $0["drive"] != nil }
        #expect(disks.map { $0["driver"] as? String } == ["virtio-blk-pci", "scsi-hd", "virtio-blk-pci", "scsi-hd"])
        #expect(disks.map { $0["bus"] as? String } == ["port0", "scsi0.0", "port1", "scsi0.0"])
    }

    @Test("without SCSI disks there is no SCSI controller; microvm has no root ports", arguments: MachineType.allCases)
    func noController(machine: MachineType) throws {
        let devices = try objects("-device", in: argv([DiskSpec(path: "/a.img", format: .raw)], machine: machine))
        #expect(!devices.contains { ($0["driver"] as? String ?? "").hasPrefix("virtio-scsi") })
        #expect(devices.contains { $0["driver"] as? String == "pcie-root-port" } == (machine == .q35))
    }

    @Test("a volume's file and format come from the resolver")
    func volumes() throws {
        let volume = VolumeReference(pool: "default", name: "web-1-root")
        var asked: [VolumeReference] = []
        let disks = try AttachedDisk.resolve([DiskSpec(volume: volume)]) { reference in
            asked.append(reference)
            return ("/pools/default/web-1-root.qcow2", .qcow2)
        }
        #expect(asked == [volume])
        #expect(disks.map(\.path) == ["/pools/default/web-1-root.qcow2"])
        #expect(disks.map(\.format) == [.qcow2])
        #expect(disks.map(\.names) == [DiskNames(for: .volume(volume))])
    }

    @Test("the resolver's error stops the build; a file disk without a format is refused")
    func resolveErrors() throws {
        let refused = JoistError(.unsupported, "volumes cannot be attached yet")
        #expect(throws: refused) {
            try builder.argv(
                for: InstanceSpec(name: "web-1", kernel: "/k", disks: [DiskSpec(volume: VolumeReference(pool: "p", name: "v"))]),
                project: "default", paths: paths, accelerator: .tcg
            ) { _ in throw refused }
        }
        #expect(throws: JoistError.invalidArgument("disk /a.img has no recorded image format (raw or qcow2)")) {
            try AttachedDisk.resolve([DiskSpec(path: "/a.img")]) { _ in ("/x", .raw) }
        }
    }

    @Test("node names fit QEMU's 31 characters, depend only on the source, and differ between sources")
    func names() {
        let long = String(repeating: "a", count: 63)
        let sources: [DiskSpec.Source] = [
            .file("/srv/a.img"), .file("/srv/b.img"), .volume(VolumeReference(pool: long, name: long)),
            .volume(VolumeReference(pool: "default", name: "a")), .file("/" + String(repeating: "x", count: 4000)),
        ]
        let names = sources.map(DiskNames.init)
        for name in names {
            #expect(name.node.utf8.count <= 31 && name.fileNode.utf8.count <= 31)
            #expect(Set([name.node, name.fileNode, name.device]).count == 3)
        }
        #expect(Set(names.map(\.node)).count == sources.count)
        #expect(sources.map(DiskNames.init) == names)
    }

    @Test("node names never change between releases: a running QEMU keeps the names it was given")
    func stableNames() {
        // The top 48 bits of FNV-1a 64 of the source, pinned so that a change of scheme is deliberate.
        #expect(DiskNames(for: .file("/srv/a.img")).node == "disk-20880f36ca33")
        #expect(DiskNames(for: .volume(VolumeReference(pool: "default", name: "data"))).fileNode == "disk-d9ff166a41f1-file")
        #expect(DiskNames(for: .file("/srv/a.img")).device == "disk-20880f36ca33-dev")
    }
}
