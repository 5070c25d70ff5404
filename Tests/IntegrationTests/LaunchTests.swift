import Foundation
import JoistTestTraits
import JoistTesting
import Testing

/// `joist launch`: instances whose root disks are copy-on-write clones of one image, in real guests.
@Suite("Launch from an image (real QEMU)", .bootsGuests(2), .serialized, .timeLimit(.minutes(15)))
struct LaunchTests {
    @Test("two instances launched from one image read its data, write their own, leave the image untouched, and one is published")
    func twoFromOneImage() async throws {
        let guest = try await TestGuest.locate()
        try await withTemporaryDirectory(prefix: "jlaunch") { folder in
            let base = folder + "/base.qcow2"
            try await HostTool.run("qemu-img", ["create", "-q", "-f", "qcow2", base, "256M"])
            try await HostTool.run("qemu-io", ["-f", "qcow2", "-c", "write -P 0x5a 0 1M", base])
            let pristine = folder + "/pristine.qcow2"
            try FileManager.default.copyItem(atPath: base, toPath: pristine)
            try await DaemonHarness.with { joist in
                try await joist.succeed(["image", "import", base, "--alias", "base"])
                let boot = ["--kernel", guest.kernel, "--initrd", guest.initrd, "--cmdline", TestGuest.cmdline, "--memory", "256MiB", "--accel", "tcg"]
                try await joist.succeed(["launch", "base", "web1"] + boot)
                try await joist.succeed(["launch", "base", "web2", "--root-size", "512MiB"] + boot)
                let root = try await joist.json(["volume", "info", "default", "web1-root", "--format", "json"])
                #expect(root["usedBy"] as? [String] == ["web1"], "\(root)")
                #expect((root["allocated"] as? Int ?? .max) < 1 << 20, "a linked clone holds none of the image's data: \(root)")

                for (name, letter) in [("web1", "A"), ("web2", "B")] {
                    let console = try ConsoleProcess(harness: joist, instance: name)
                    #expect(try await joist.waitForConsole(name, containing: TestGuest.readyMarker), "\(joist.daemonLog())")
                    // The image's bytes (0x5a is 'Z'), then the instance's own over them.
                    console.send("echo R$(dd if=/dev/vda bs=4 count=1 2>/dev/null)R\n")
                    #expect(await console.waitFor("RZZZZR"), "\(console.output)")
                    console.send("printf \(letter)\(letter)\(letter)\(letter) | dd of=/dev/vda conv=fsync 2>/dev/null; echo W$(dd if=/dev/vda bs=4 count=1 2>/dev/null)W\n")
                    #expect(await console.waitFor("W\(letter)\(letter)\(letter)\(letter)W"), "\(console.output)")
                    await console.close()
                }
                let size = try await joist.json(["volume", "info", "default", "web2-root", "--format", "json"])["size"]
                #expect(size as? String == "512MiB")
                let held = try await joist.cli(["image", "delete", "base"])
                #expect(!held.succeeded && held.stderr.contains("web1-root"), "\(held)")

                // A stopped instance becomes an image of its own: its writes over the image's data.
                let running = try await joist.cli(["publish", "web2", "--alias", "web2-image"])
                #expect(running.stderr.contains("while it is running; stop it first"), "\(running)")
                try await joist.succeed(["stop", "--force", "web1"])
                try await joist.succeed(["publish", "web1", "--alias", "web1-image"])
                let published = try #require(try await joist.json(["image", "info", "web1-image", "--format", "json"])["fingerprint"] as? String)
                let file = joist.stateDirectory + "/images/\(published).qcow2"
                let own = try await CommandRunner.run("/usr/bin/qemu-io", ["-f", "qcow2", "-r", "-c", "read -P 0x41 0 4", "-c", "read -P 0x5a 4 4092", file])
                #expect(own.succeeded && !own.stdout.contains("failed"), "\(own)")

                // An instance's root volume goes with it, unless it was detached first.
                try await joist.succeed(["volume", "detach", "web1", "default/web1-root"])
                try await joist.succeed(["delete", "--force", "web1"])
                try await joist.succeed(["delete", "--force", "web2"])
                let volumes = try await joist.succeed(["volume", "list", "--format", "json"])
                #expect(volumes.contains("web1-root") && !volumes.contains("web2-root"), "\(volumes)")
                try await joist.succeed(["volume", "delete", "default", "web1-root"])
                let fingerprint = try #require(try await joist.json(["image", "info", "base", "--format", "json"])["fingerprint"] as? String)
                let stored = joist.stateDirectory + "/images/\(fingerprint).qcow2"
                try await HostTool.run("qemu-img", ["compare", "-q", stored, pristine])
                try await joist.succeed(["image", "delete", "base"])
            }
        }
    }
}
