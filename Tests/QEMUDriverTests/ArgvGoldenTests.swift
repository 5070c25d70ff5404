import Foundation
import JoistCore
import QEMUDriver
import Testing

/// Golden tests: the argv for each spec is pinned in `Golden/NAME.argv` (one argument per line).
/// Run with `JOIST_UPDATE_GOLDEN=1` to rewrite the files after an intended change, and review the diff.
@Suite("QEMU argv (golden)")
struct ArgvGoldenTests {
    let builder = QEMUArgvBuilder(binary: "qemu-system-x86_64")
    let paths = RuntimePaths(stateDirectory: "/var/lib/joist", instance: "web-1")

    private func check(_ name: String, _ argv: [String]) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name).argv")
        let actual = argv.joined(separator: "\n") + "\n"
        if ProcessInfo.processInfo.environment["JOIST_UPDATE_GOLDEN"] != nil {
            try actual.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "argv for \(name) differs from \(url.path)")
    }

    @Test("a minimal q35 guest under TCG")
    func minimal() throws {
        let spec = InstanceSpec(name: "web-1", kernel: "/boot/vmlinuz", initrd: "/boot/initrd.img", cmdline: "console=ttyS0")
        try check("minimal-q35-tcg", builder.argv(for: spec, paths: paths, accelerator: .tcg))
    }

    @Test("disks, NICs with port forwards, and KVM")
    func full() throws {
        let spec = InstanceSpec(
            name: "web-1", kernel: "/boot/vmlinuz", initrd: nil, cmdline: "console=ttyS0 root=/dev/vda", cpus: 2,
            memory: .gibibytes(1),
            disks: [DiskSpec(path: "/srv/root.qcow2", format: .qcow2), DiskSpec(path: "/srv/data.img", format: .raw)],
            nics: [NICSpec(hostForwards: [HostForward(proto: .tcp, hostAddress: "127.0.0.1", hostPort: 2222, guestPort: 22)])])
        try check("full-q35-kvm", builder.argv(for: spec, paths: paths, accelerator: .kvm))
    }

    @Test("microvm uses virtio-mmio devices")
    func microvm() throws {
        let spec = InstanceSpec(
            name: "web-1", kernel: "/boot/vmlinuz", initrd: "/boot/initrd.img", disks: [DiskSpec(path: "/srv/a.img", format: .raw)],
            nics: [NICSpec()], machine: .microvm)
        try check("microvm-tcg", builder.argv(for: spec, paths: paths, accelerator: .tcg))
    }

    @Test("hostile paths stay inside their JSON field or are comma-escaped")
    func hostile() throws {
        let spec = InstanceSpec(
            name: "web-1", kernel: "/k,if=none", initrd: nil, cmdline: "console=ttyS0 x=\"y\"",
            disks: [DiskSpec(path: "/srv/a\",\"driver\":\"nbd,file=x.img", format: .raw)])
        let commaPaths = RuntimePaths(stateDirectory: "/var/lib/jo,ist", instance: "web-1")
        let argv = builder.argv(for: spec, paths: commaPaths, accelerator: .tcg)
        try check("hostile", argv)
        // The disk path is one JSON string: decoding the blockdev gives back exactly the path.
        let blockdev = try #require(argv.firstIndex(of: "-blockdev").map { argv[$0 + 1] })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(blockdev.utf8)) as? [String: String])
        #expect(object["filename"] == "/srv/a\",\"driver\":\"nbd,file=x.img")
        #expect(object["driver"] == "file")
        // A comma in the state directory is doubled, so QEMU reads it as part of the path.
        #expect(argv.contains("socket,id=qmp,path=/var/lib/jo,,ist/instances/web-1/qmp.sock,server=on,wait=off"))
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
