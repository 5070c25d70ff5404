import Foundation
import JoistTestTraits
import JoistTesting
import Testing

/// An ISO image in the CD-ROM drive, booted by the firmware (no kernel given), in a real guest.
@Suite("CD-ROM and firmware boot (real QEMU)", .bootsGuests, .serialized, .timeLimit(.minutes(15)))
struct CDROMBootTests {
    @Test("the firmware passes over a blank disk and boots an ISO from the CD-ROM; the drive holds the image until ejected")
    func bootFromISO() async throws {
        let guest = try await TestGuest.locate()
        try await withTemporaryDirectory(prefix: "jcdrom") { folder in
            let iso = try await BootableISO.make(in: folder, kernel: guest.kernel, initrd: guest.initrd)
            let disk = folder + "/disk.qcow2"
            try await HostTool.run("qemu-img", ["create", "-q", "-f", "qcow2", disk, "16M"])
            try await DaemonHarness.with { joist in
                try await joist.succeed(["image", "import", iso, "--alias", "boot-cd"])
                try await joist.succeed(["image", "import", disk, "--alias", "a-disk"])
                let fingerprint = try #require(try await joist.json(["image", "info", "boot-cd", "--format", "json"])["fingerprint"] as? String)
                try await joist.succeed(["volume", "create", "default", "blank", "--size", "64MiB"])

                let notISO = try await joist.cli(["create", "wrong", "--cdrom", "a-disk", "--memory", "256MiB"])
                #expect(!notISO.succeeded && notISO.stderr.contains("is a disk image, not an ISO"), "\(notISO)")
                let microvm = try await joist.cli(["create", "wrong", "--cdrom", "boot-cd", "--machine", "microvm"])
                #expect(!microvm.succeeded && microvm.stderr.contains("microvm boots only a kernel"), "\(microvm)")
                #expect(try await joist.cli(["list", "--format", "json"]).stdout.contains("wrong") == false)

                try await joist.succeed(
                    ["create", "cdvm", "--cdrom", "boot-cd", "--disk", "default/blank", "--memory", "256MiB", "--accel", "tcg"])
                let config = try #require(try await joist.info("cdvm")["config"] as? [String: Any])
                #expect(config["kernel"] == nil && config["cdrom"] as? String == fingerprint, "\(config)")

                try await joist.succeed(["start", "cdvm"])
                #expect(try await joist.waitForConsole("cdvm", containing: TestGuest.readyMarker), "\(joist.daemonLog())")
                let console = try ConsoleProcess(harness: joist, instance: "cdvm")
                // The guest reads the disc it booted from: sr0 holds the whole ISO, in 512-byte sectors.
                let sectors = try #require(FileManager.default.attributesOfItem(atPath: iso)[.size] as? Int) / 512
                console.send("echo S$(cat /sys/block/sr0/size)S $(ls /sys/block | tr '\\n' ' ')\n")
                #expect(await console.waitFor("S\(sectors)S sr0 vda"), "\(console.output)")
                await console.close()

                let held = try await joist.cli(["image", "delete", "boot-cd"])
                #expect(!held.succeeded && held.stderr.contains("CD-ROM drive of instance cdvm"), "\(held)")
                try await joist.succeed(["stop", "--force", "cdvm"])
                try await joist.succeed(["config", "set", "cdvm", "cdrom="])
                #expect((try await joist.info("cdvm")["config"] as? [String: Any])?["cdrom"] == nil)
                try await joist.succeed(["config", "set", "cdvm", "cdrom=boot-cd"])
                let reinserted = try #require(try await joist.info("cdvm")["config"] as? [String: Any])
                #expect(reinserted["cdrom"] as? String == fingerprint, "\(reinserted)")
                #expect(!(try await joist.cli(["image", "delete", "boot-cd"])).succeeded)

                // A restarted daemon still knows which drive holds the image.
                await joist.killDaemon()
                try await joist.start()
                #expect(!(try await joist.cli(["image", "delete", "boot-cd"])).succeeded)
                try await joist.succeed(["delete", "cdvm"])
                try await joist.succeed(["image", "delete", "boot-cd"])
            }
        }
    }

}

/// A bootable ISO 9660 image of the test guest: isolinux (El Torito, no emulation) loads its kernel
/// and initramfs with the console on the serial port, as an installer CD would.
enum BootableISO {
    static func make(in folder: String, kernel: String, initrd: String) async throws -> String {
        let tree = folder + "/iso"
        let files = FileManager.default
        try files.createDirectory(atPath: tree + "/isolinux", withIntermediateDirectories: true)
        try files.copyItem(atPath: "/usr/lib/ISOLINUX/isolinux.bin", toPath: tree + "/isolinux/isolinux.bin")
        try files.copyItem(atPath: "/usr/lib/syslinux/modules/bios/ldlinux.c32", toPath: tree + "/isolinux/ldlinux.c32")
        try files.copyItem(atPath: kernel, toPath: tree + "/vmlinuz")
        try files.copyItem(atPath: initrd, toPath: tree + "/initrd.img")
        let config = """
            SERIAL 0 115200
            DEFAULT joist
            PROMPT 0
            TIMEOUT 1
            LABEL joist
              KERNEL /vmlinuz
              INITRD /initrd.img
              APPEND \(TestGuest.cmdline)

            """
        try config.write(toFile: tree + "/isolinux/isolinux.cfg", atomically: true, encoding: .utf8)
        let iso = folder + "/boot.iso"
        try await HostTool.run(
            "xorriso",
            ["-as", "mkisofs", "-quiet", "-o", iso, "-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat", "-no-emul-boot",
             "-boot-load-size", "4", "-boot-info-table", tree])
        return iso
    }
}
