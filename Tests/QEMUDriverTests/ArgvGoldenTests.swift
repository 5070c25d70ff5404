import Foundation
import JoistCore
import QEMUDriver
import Testing

/// Golden tests: the argv for each spec is pinned in `Golden/NAME.argv` (one argument per line).
@Suite("QEMU argv (golden)")
struct ArgvGoldenTests {
    let builder = QEMUArgvBuilder(binary: "qemu-system-x86_64")
    let paths = RuntimePaths(stateDirectory: "/var/lib/joist", instance: "web-1")

    /// The volumes the golden specs use, as a pool would resolve them.
    static let volumes: [VolumeReference: (path: String, format: DiskFormat)] = [
        VolumeReference(pool: "default", name: "data"): ("/var/lib/joist/pools/default/data.qcow2", .qcow2),
        VolumeReference(pool: "fast", name: "logs"): ("/srv/fast/logs.img", .raw),
    ]

    private func argv(_ spec: InstanceSpec, paths: RuntimePaths? = nil, accelerator: Accelerator = .tcg) throws -> [String] {
        try builder.argv(for: spec, project: "default", paths: paths ?? self.paths, accelerator: accelerator) { volume in
            try #require(Self.volumes[volume])
        }
    }

    @Test("a minimal q35 guest under TCG")
    func minimal() throws {
        let spec = InstanceSpec(name: "web-1", kernel: "/boot/vmlinuz", initrd: "/boot/initrd.img", cmdline: "console=ttyS0")
        try Golden.check("minimal-q35-tcg.argv", argv(spec))
    }

    @Test("disks, NICs with port forwards, and KVM")
    func full() throws {
        let spec = InstanceSpec(
            name: "web-1", kernel: "/boot/vmlinuz", initrd: nil, cmdline: "console=ttyS0 root=/dev/vda", cpus: 2,
            memory: .gibibytes(1),
            disks: [DiskSpec(path: "/srv/root.qcow2", format: .qcow2), DiskSpec(path: "/srv/data.img", format: .raw)],
            nics: [NICSpec(hostForwards: [HostForward(proto: .tcp, hostAddress: "127.0.0.1", hostPort: 2222, guestPort: 22)])])
        try Golden.check("full-q35-kvm.argv", argv(spec, accelerator: .kvm))
    }

    @Test("every disk option: volumes, both buses, each cache mode, discard, read-only")
    func diskOptions() throws {
        let specs = [
            DiskSpec(path: "/srv/root.qcow2", format: .qcow2),
            DiskSpec(volume: VolumeReference(pool: "default", name: "data"), cache: .uncached, discard: true),
            DiskSpec(path: "/srv/scratch.img", format: .raw, bus: .virtioSCSI, cache: .unsafe),
            DiskSpec(volume: VolumeReference(pool: "fast", name: "logs"), bus: .virtioSCSI, cache: .writethrough, discard: true),
            DiskSpec(path: "/srv/wb.img", format: .raw, bus: .virtioBlk, cache: .writeback, discard: false),
            DiskSpec(path: "/srv/sync.img", format: .raw, cache: .directsync),
        ]
        let spec = InstanceSpec(name: "web-1", kernel: "/boot/vmlinuz", disks: specs)
        var disks = try AttachedDisk.resolve(specs) { try #require(Self.volumes[$0]) }
        disks.append(AttachedDisk(spec: DiskSpec(path: "/srv/seed.iso"), path: "/srv/seed.iso", format: .raw, readOnly: true))
        try Golden.check("disk-options-q35.argv", builder.argv(for: spec, disks: disks, nics: [], paths: paths, accelerator: .tcg))
    }

    @Test("without a kernel the firmware boots: the disks in order, then the CD-ROM, a SCSI CD on the controller")
    func firmwareBoot() throws {
        let specs = [
            DiskSpec(volume: VolumeReference(pool: "default", name: "data")),
            DiskSpec(path: "/srv/second.img", format: .raw, bus: .virtioSCSI),
        ]
        let spec = InstanceSpec(name: "web-1", disks: specs, cdrom: String(repeating: "ab", count: 32))
        var disks = try AttachedDisk.resolve(specs) { try #require(Self.volumes[$0]) }
        disks.append(.cdrom(path: "/var/lib/joist/images/installer.iso"))
        try Golden.check("firmware-cdrom-q35.argv", builder.argv(for: spec, disks: disks, nics: [], paths: paths, accelerator: .tcg))
    }

    @Test("the cloud-init seed is a second read-only SCSI CD after the user's CD-ROM, with no boot index")
    func cloudInitSeed() throws {
        let specs = [DiskSpec(volume: VolumeReference(pool: "default", name: "web-1-root"))]
        let spec = InstanceSpec(name: "web-1", disks: specs, cdrom: String(repeating: "ab", count: 32), cloudInit: CloudInitSettings(hostname: "web"))
        var disks = try AttachedDisk.resolve(specs) { _ in ("/var/lib/joist/storage/default/volumes/default/web-1-root.qcow2", .qcow2) }
        disks.append(.cdrom(path: "/var/lib/joist/images/installer.iso"))
        disks.append(.cloudInitSeed(path: paths.cloudInitSeed))
        try Golden.check("cloud-init-seed-q35.argv", builder.argv(for: spec, disks: disks, nics: [], paths: paths, accelerator: .tcg))
    }

    @Test("microvm uses virtio-mmio devices")
    func microvm() throws {
        let spec = InstanceSpec(
            name: "web-1", kernel: "/boot/vmlinuz", initrd: "/boot/initrd.img", disks: [DiskSpec(path: "/srv/a.img", format: .raw)],
            nics: [NICSpec()], machine: .microvm)
        try Golden.check("microvm-tcg.argv", argv(spec))
    }

    @Test("microvm puts SCSI disks on a virtio-mmio SCSI controller, and has no root ports")
    func microvmSCSI() throws {
        let spec = InstanceSpec(
            name: "web-1", kernel: "/boot/vmlinuz",
            disks: [
                DiskSpec(path: "/srv/a.img", format: .raw),
                DiskSpec(volume: VolumeReference(pool: "default", name: "data"), bus: .virtioSCSI, discard: true),
            ],
            machine: .microvm)
        try Golden.check("microvm-scsi.argv", argv(spec))
    }

    @Test("hostile paths stay inside their JSON field or are comma-escaped")
    func hostile() throws {
        let spec = InstanceSpec(
            name: "web-1", kernel: "/k,if=none", initrd: nil, cmdline: "console=ttyS0 x=\"y\"",
            disks: [DiskSpec(path: "/srv/a\",\"driver\":\"nbd,file=x.img", format: .raw)])
        let commaPaths = RuntimePaths(stateDirectory: "/var/lib/jo,ist", instance: "web-1")
        let argv = try argv(spec, paths: commaPaths)
        try Golden.check("hostile.argv", argv)
        // The disk path is one JSON string: decoding the blockdev gives back exactly the path.
        let blockdev = try #require(argv.firstIndex(of: "-blockdev").map { argv[$0 + 1] })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(blockdev.utf8)) as? [String: String])
        #expect(object["filename"] == "/srv/a\",\"driver\":\"nbd,file=x.img")
        #expect(object["driver"] == "file")
        // A comma in the state directory is doubled, so QEMU reads it as part of the path.
        #expect(argv.contains("socket,id=qmp,path=/var/lib/jo,,ist/instances/web-1/qmp.sock,server=on,wait=off"))
        #expect(argv.contains("unix:/var/lib/jo,,ist/instances/web-1/vnc.sock"))
    }

    @Test("display none: no VGA card and no VNC server, every other device as with a display")
    func noDisplay() throws {
        var spec = InstanceSpec(name: "web-1", kernel: "/boot/vmlinuz", initrd: "/boot/initrd.img", cmdline: "console=ttyS0")
        let withDisplay = try argv(spec)
        spec.display = DisplayMode.none
        let without = try argv(spec)
        try Golden.check("no-display-q35.argv", without)
        // The VGA card and VNC server come last, so the devices before them keep their slots.
        #expect(Array(withDisplay.prefix(without.count)) == without)
        #expect(withDisplay.dropFirst(without.count) == [
            "-device", #"{"driver":"VGA","id":"video0"}"#, "-vnc", "unix:/var/lib/joist/instances/web-1/vnc.sock",
        ])
    }
}

@Suite("JSON rendering for QEMU options")
struct QEMUJSONTests {
    @Test("strings are escaped per RFC 8259")
    func escaping() {
        #expect(QEMUJSON.string("a\"b\\c\nd\u{1}").rendered == #""a\"b\\c\nd\u0001""#)
    }

    @Test("objects keep their key order")
    func order() {
        let json = QEMUJSON.object([("z", .int(1)), ("a", .bool(true)), ("m", .array([.string("x")]))])
        #expect(json.rendered == #"{"z":1,"a":true,"m":["x"]}"#)
    }
}
