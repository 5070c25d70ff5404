import JoistCore
import Testing

@Suite("Names, sizes and NICs")
struct ParsingTests {
    @Test("valid names pass", arguments: ["web-1", "a", "DB2", String(repeating: "a", count: 63)])
    func validNames(name: String) throws {
        #expect(try ResourceName.validate(name) == name)
    }

    @Test("names that could inject options or escape paths are refused", arguments: [
        "", "1web", "-web", "web-", "web,id=x", "../etc", "a/b", "a b", "web.1", "wéb", "a=b",
        String(repeating: "a", count: 64),
    ])
    func invalidNames(name: String) {
        #expect(throws: JoistError.self) { try ResourceName.validate(name) }
    }

    @Test("sizes parse in binary and decimal units", arguments: [
        ("512MiB", UInt64(512 << 20)), ("512M", 512 << 20), ("2GiB", 2 << 30), ("1G", 1 << 30), ("1GB", 1_000_000_000),
        ("1.5GiB", 3 << 29), ("4096", 4096), ("64 KiB", 64 << 10),
    ])
    func sizes(text: String, bytes: UInt64) throws {
        #expect(try ByteSize(parsing: text).bytes == bytes)
    }

    @Test("malformed sizes are refused", arguments: ["", "MiB", "-1G", "1X", "12,5G", "1e3", "nan"])
    func badSizes(text: String) {
        #expect(throws: JoistError.self) { try ByteSize(parsing: text) }
    }

    @Test("sizes print in the largest exact binary unit")
    func sizeDescription() {
        #expect(ByteSize.mebibytes(512).description == "512MiB")
        #expect(ByteSize.gibibytes(2).description == "2GiB")
        #expect(ByteSize(bytes: 1000).description == "1000B")
    }

    @Test("user NICs with host forwards round-trip")
    func nic() throws {
        let nic = try NICSpec(parsing: "user,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=udp::5353-10.0.2.15:53")
        #expect(nic.hostForwards.count == 2)
        #expect(nic.hostForwards[0] == HostForward(proto: .tcp, hostAddress: "127.0.0.1", hostPort: 2222, guestPort: 22))
        #expect(nic.description == "user,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=udp::5353-10.0.2.15:53")
    }

    @Test("malformed NICs are refused", arguments: [
        "bridge", "user,foo=bar", "user,hostfwd=tcp:127.0.0.1:2222", "user,hostfwd=icmp::1-:2",
        "user,hostfwd=tcp::0-:22", "user,hostfwd=tcp::70000-:22", "user,hostfwd=tcp:1.2.3:22-:22",
        "user,hostfwd=tcp:127.0.0.1:22-:22,id=x",
    ])
    func badNICs(text: String) {
        #expect(throws: JoistError.self) { try NICSpec(parsing: text) }
    }
}

@Suite("Instance spec validation")
struct SpecValidationTests {
    let host = HostResources(cpus: 2, memory: .gibibytes(4))
    let files: Set<String> = ["/k", "/i", "/d.qcow2"]

    private func spec() -> InstanceSpec { makeSpec { _ in } }

    private func message(_ spec: InstanceSpec) -> String? {
        do {
            try spec.validate(host: host, fileExists: files.contains)
            return nil
        } catch {
            return error.message
        }
    }

    @Test("a sound spec validates")
    func valid() {
        #expect(message(spec()) == nil)
    }

    @Test("each problem is named", arguments: [
        ("cpus 3 exceeds the host's 2 CPUs", makeSpec { $0.cpus = 3 }),
        ("cpus must be at least 1 (got 0)", makeSpec { $0.cpus = 0 }),
        ("memory 8GiB exceeds the host's 4GiB of RAM", makeSpec { $0.memory = .gibibytes(8) }),
        ("memory 1MiB is below the minimum of 32MiB", makeSpec { $0.memory = .mebibytes(1) }),
        ("kernel file '/missing' does not exist", makeSpec { $0.kernel = "/missing" }),
        ("initrd path 'rel/i' must be absolute", makeSpec { $0.initrd = "rel/i" }),
        ("disk file '/nope.img' does not exist", makeSpec { $0.disks = [DiskSpec(path: "/nope.img", format: .raw)] }),
        ("cmdline must be a single line", makeSpec { $0.cmdline = "a\nb" }),
        ("instance name 'bad,name' may only contain ASCII letters, digits and '-'", makeSpec { $0.name = "bad,name" }),
        ("an initrd needs a kernel: give the kernel too, or neither", makeSpec { $0.kernel = nil }),
        (
            "a microvm boots only a kernel given directly (--kernel); use machine q35 to boot from disk",
            makeSpec { $0.kernel = nil; $0.initrd = nil; $0.machine = .microvm }
        ),
        (
            "cdrom must be an image's full fingerprint (64 lowercase hex digits), not 'boot-cd'",
            makeSpec { $0.cdrom = "boot-cd" }
        ),
    ])
    func invalid(expected: String, spec: InstanceSpec) {
        #expect(message(spec) == expected)
    }

    @Test("without a kernel (and initrd) the firmware boots a q35 guest, with or without a CD-ROM")
    func firmwareBoot() throws {
        let bare = makeSpec { $0.kernel = nil; $0.initrd = nil }
        #expect(bare.bootsFromFirmware)
        #expect(message(bare) == nil)
        #expect(message(makeSpec { $0.kernel = nil; $0.initrd = nil; $0.cdrom = String(repeating: "0f", count: 32) }) == nil)
        let unset = try spec().applying([("initrd", ""), ("kernel", "")])
        #expect(unset.kernel == nil && unset.bootsFromFirmware)
        #expect(try unset.applying([("cdrom", "ab")]).cdrom == "ab")
        #expect(try unset.applying([("cdrom", "ab"), ("cdrom", "")]).cdrom == nil)
    }

    @Test("config settings apply and unknown keys are refused")
    func settings() throws {
        let updated = try spec().applying([("cpus", "2"), ("memory", "1GiB"), ("cmdline", "console=ttyS0 quiet"), ("initrd", "")])
        #expect(updated.cpus == 2)
        #expect(updated.memory == .gibibytes(1))
        #expect(updated.cmdline == "console=ttyS0 quiet")
        #expect(updated.initrd == nil)
        #expect(throws: JoistError.self) { try spec().applying([("colour", "blue")]) }
        #expect(throws: JoistError.self) { try spec().applying([("cpus", "many")]) }
        #expect(throws: JoistError.self) { try spec().applying([("machine", "pc")]) }
    }

    @Test("the display defaults to the machine's, is set with display=, and a microvm cannot have one")
    func display() throws {
        #expect(spec().effectiveDisplay == .std)
        #expect(makeSpec { $0.machine = .microvm }.effectiveDisplay == DisplayMode.none)
        let none = try spec().applying([("display", "none")])
        #expect(none.display == DisplayMode.none && message(none) == nil)
        // Unset again, the machine decides: a stored spec follows a later change of machine.
        let reset = try none.applying([("display", ""), ("machine", "microvm")])
        #expect(reset.display == nil && reset.effectiveDisplay == DisplayMode.none && message(reset) == nil)
        #expect(
            message(try reset.applying([("display", "std")]))
                == "display std needs machine q35 (a microvm has no PCI bus for a VGA card); set display=none or machine=q35")
        #expect(throws: JoistError.self) { try spec().applying([("display", "vga")]) }
    }

    @Test("key=value words parse, values may contain '='")
    func parseSettings() throws {
        let pairs = try InstanceSpec.parseSettings(["cmdline=console=ttyS0 quiet", "cpus=2"])
        #expect(pairs.map(\.key) == ["cmdline", "cpus"])
        #expect(pairs[0].value == "console=ttyS0 quiet")
        #expect(throws: JoistError.self) { try InstanceSpec.parseSettings(["cpus"]) }
        #expect(throws: JoistError.self) { try InstanceSpec.parseSettings(["=2"]) }
    }

    @Test("disk formats are detected from the qcow2 magic")
    func diskFormat() {
        #expect(DiskFormat.detect(header: [0x51, 0x46, 0x49, 0xFB, 0, 0, 0, 3]) == .qcow2)
        #expect(DiskFormat.detect(header: [0xEB, 0x63, 0x90, 0x10]) == .raw)
        #expect(DiskFormat.detect(header: []) == .raw)
    }
}

/// A sound spec for the validation tests, changed by `change`.
func makeSpec(_ change: (inout InstanceSpec) -> Void) -> InstanceSpec {
    var spec = InstanceSpec(name: "web-1", kernel: "/k", initrd: "/i", cpus: 1, memory: .mebibytes(256))
    change(&spec)
    return spec
}
