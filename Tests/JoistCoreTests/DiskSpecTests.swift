import Foundation
import JoistCore
import Testing

@Suite("Disk specs: text form, stored form, validation")
struct DiskSpecTests {
    private static let web = VolumeReference(pool: "default", name: "web-1")

    @Test("the text form parses sources and options", arguments: [
        ("/srv/a.img", DiskSpec(path: "/srv/a.img")),
        ("default/web-1", DiskSpec(volume: web)),
        ("default/web-1,bus=virtio-scsi", DiskSpec(volume: web, bus: .virtioSCSI)),
        ("/srv/a.img,bus=virtio-blk,cache=none,discard=on", DiskSpec(path: "/srv/a.img", bus: .virtioBlk, cache: .uncached, discard: true)),
        ("/srv/a.img,discard=off,cache=unsafe", DiskSpec(path: "/srv/a.img", cache: .unsafe, discard: false)),
        ("/srv/a,,b.img,cache=directsync", DiskSpec(path: "/srv/a,b.img", cache: .directsync)),
        ("/srv/a=b.img", DiskSpec(path: "/srv/a=b.img")),
    ])
    func parses(text: String, expected: DiskSpec) throws {
        #expect(try DiskSpec(parsing: text) == expected)
    }

    @Test("every cache mode has a name", arguments: DiskCache.allCases)
    func cacheModes(mode: DiskCache) throws {
        #expect(try DiskSpec(parsing: "/a,cache=\(mode.rawValue)").cache == mode)
    }

    @Test("malformed disks are refused with a sentence that names the problem", arguments: [
        ("", "invalid disk '': expected an absolute path or a volume POOL/NAME"),
        ("disk.img", "invalid disk 'disk.img': expected an absolute path or a volume POOL/NAME"),
        ("a/b/c", "invalid disk 'a/b/c': expected an absolute path or a volume POOL/NAME"),
        ("./a", "invalid disk './a': pool name '.' may only contain ASCII letters, digits and '-' (a file needs an absolute path)"),
        ("default/web_1", "invalid disk 'default/web_1': volume name 'web_1' may only contain ASCII letters, digits and '-' (a file needs an absolute path)"),
        ("/a,bus=ide", "invalid disk option bus=ide: expected one of virtio-blk, virtio-scsi"),
        ("/a,cache=fast", "invalid disk option cache=fast: expected one of none, writeback, writethrough, directsync, unsafe"),
        ("/a,discard=yes", "invalid disk option discard=yes: expected on or off"),
        ("/a,format=raw", "unknown disk option 'format' in '/a,format=raw'; options are bus, cache, discard"),
        ("/a,bus", "invalid disk option 'bus' in '/a,bus': expected KEY=VALUE"),
        ("/a,", "invalid disk option '' in '/a,': expected KEY=VALUE"),
        ("/a,cache=none,cache=none", "disk option cache is given twice in '/a,cache=none,cache=none'"),
    ])
    func refuses(text: String, message: String) {
        #expect(throws: JoistError.invalidArgument(message)) { try DiskSpec(parsing: text) }
    }

    @Test("the text form round-trips", arguments: [
        DiskSpec(path: "/srv/a.img"),
        DiskSpec(path: "/srv/with,comma,,s.img", bus: .virtioSCSI),
        DiskSpec(path: "/srv/end,", cache: .writethrough),
        DiskSpec(volume: web, bus: .virtioBlk, cache: .writeback, discard: false),
        DiskSpec(volume: web, discard: true),
    ])
    func roundTrip(disk: DiskSpec) throws {
        #expect(try DiskSpec(parsing: disk.description) == disk)
    }

    @Test("the text form writes options in a fixed order and doubles commas in paths")
    func description() {
        #expect(DiskSpec(volume: Self.web, bus: .virtioSCSI, cache: .uncached, discard: true).description
            == "default/web-1,bus=virtio-scsi,cache=none,discard=on")
        #expect(DiskSpec(path: "/a,b", format: .qcow2).description == "/a,,b")
    }

    @Test("records stored before volumes existed still decode")
    func legacyRecord() throws {
        let disk = try JSONDecoder().decode(DiskSpec.self, from: Data(#"{"path":"/srv/a.qcow2","format":"qcow2"}"#.utf8))
        #expect(disk == DiskSpec(path: "/srv/a.qcow2", format: .qcow2))
        #expect(disk.bus == nil && disk.cache == nil && disk.discard == nil)
    }

    @Test("the stored form has either a path or a volume, and leaves unset options out")
    func storedForm() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let file = DiskSpec(path: "/a", format: .raw)
        #expect(String(decoding: try encoder.encode(file), as: UTF8.self) == #"{"format":"raw","path":"\/a"}"#)
        let volume = DiskSpec(volume: Self.web, bus: .virtioSCSI, cache: .uncached, discard: true)
        let json = String(decoding: try encoder.encode(volume), as: UTF8.self)
        #expect(json == #"{"bus":"virtio-scsi","cache":"none","discard":true,"volume":{"name":"web-1","pool":"default"}}"#)
        #expect(try JSONDecoder().decode(DiskSpec.self, from: Data(json.utf8)) == volume)
    }

    @Test("a stored disk with both sources or none is refused", arguments: [
        #"{"path":"/a","volume":{"pool":"p","name":"v"}}"#, #"{"format":"raw"}"#,
    ])
    func ambiguousRecord(json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(DiskSpec.self, from: Data(json.utf8)) }
    }

    @Test("relative file paths typed on a command line become absolute; volumes stay", arguments: [
        ("/srv/a.img,bus=virtio-scsi", "/srv/a.img,bus=virtio-scsi"),
        ("default/web-1,cache=none", "default/web-1,cache=none"),
        ("./default/web-1", "/home/me/wd/./default/web-1"),
        ("../a.img", "/home/me/wd/../a.img"),
        ("a.img,discard=on", "/home/me/wd/a.img,discard=on"),
        ("images/a.b/c.img", "/home/me/wd/images/a.b/c.img"),
        ("~/a.img", "/home/me/a.img"),
        ("~", "/home/me"),
        ("a,,b.img,cache=none", "/home/me/wd/a,,b.img,cache=none"),
    ])
    func absolutized(text: String, expected: String) {
        #expect(DiskSpec.absolutized(text, currentDirectory: "/home/me/wd", homeDirectory: "/home/me") == expected)
    }

    @Test("a comma in the current directory is doubled, so the path stays one source")
    func absolutizedComma() throws {
        let text = DiskSpec.absolutized("a.img,bus=virtio-scsi", currentDirectory: "/w,x", homeDirectory: "/h")
        #expect(try DiskSpec(parsing: text) == DiskSpec(path: "/w,x/a.img", bus: .virtioSCSI))
    }
}

@Suite("Instance spec validation: disks")
struct DiskValidationTests {
    let host = HostResources(cpus: 2, memory: .gibibytes(4))

    private func message(_ change: (inout InstanceSpec) -> Void) -> String? {
        do {
            try makeSpec(change).validate(host: host, fileExists: ["/k", "/i", "/a.img", "/b.img"].contains)
            return nil
        } catch {
            return error.message
        }
    }

    @Test("files, volumes and both buses validate, on q35 and on microvm", arguments: MachineType.allCases)
    func valid(machine: MachineType) {
        #expect(message {
            $0.machine = machine
            $0.disks = [
                DiskSpec(path: "/a.img", format: .raw), DiskSpec(volume: VolumeReference(pool: "p", name: "v"), bus: .virtioSCSI),
                DiskSpec(path: "/b.img", format: .qcow2, bus: .virtioSCSI, cache: .uncached, discard: true),
            ]
        } == nil)
    }

    @Test("each disk problem is named", arguments: [
        ("disk /a.img is given twice", [DiskSpec(path: "/a.img"), DiskSpec(path: "/a.img", bus: .virtioSCSI)]),
        ("disk p/v is given twice", [DiskSpec(volume: VolumeReference(pool: "p", name: "v")), DiskSpec(volume: VolumeReference(pool: "p", name: "v"))]),
        ("pool name 'p,x' may only contain ASCII letters, digits and '-'", [DiskSpec(volume: VolumeReference(pool: "p,x", name: "v"))]),
        ("volume name '../v' may only contain ASCII letters, digits and '-'", [DiskSpec(volume: VolumeReference(pool: "p", name: "../v"))]),
        ("disk path 'a.img' must be absolute", [DiskSpec(path: "a.img")]),
        ("disk file '/nope.img' does not exist", [DiskSpec(path: "/nope.img", format: .raw)]),
    ])
    func invalid(expected: String, disks: [DiskSpec]) {
        #expect(message { $0.disks = disks } == expected)
    }

    @Test("microvm counts one virtio device per virtio-blk disk and one for all SCSI disks")
    func microvmDevices() {
        let volumes = (0..<9).map { DiskSpec(volume: VolumeReference(pool: "p", name: "v\($0)"), bus: .virtioSCSI) }
        #expect(message { $0.machine = .microvm; $0.disks = volumes; $0.nics = Array(repeating: NICSpec(), count: 7) } == nil)
        #expect(message { $0.machine = .microvm; $0.disks = volumes; $0.nics = Array(repeating: NICSpec(), count: 8) }
            == "microvm supports at most 8 virtio devices")
    }

    @Test("q35 keeps root bus slots for the hot-plug ports, the agent's controller and the VGA card", arguments: [DisplayMode.std, .none])
    func q35Devices(display: DisplayMode) {
        let room = 30 - InstanceSpec.spareHotplugPorts - 1 - (display == .std ? 1 : 0)
        let disks = (0..<room).map { DiskSpec(volume: VolumeReference(pool: "p", name: "v\($0)")) }
        #expect(message { $0.display = display; $0.disks = disks } == nil)
        #expect(message { $0.display = display; $0.disks = disks; $0.nics = [NICSpec()] }
            == "q35 has room for \(room) PCI devices (virtio-blk disks, NICs and one SCSI controller) with display \(display.rawValue); this instance needs \(room + 1)")
    }
}
