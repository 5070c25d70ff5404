import Foundation
import JoistTesting
import Testing

/// Volumes to and from image files end to end: a real joistd with the dir driver and real qemu-img,
/// driven through the real CLI, locally (host paths) and as a remote over TLS (upload and download).
@Suite("Volume import and export (real daemon)", .serialized, .timeLimit(.minutes(5)))
struct VolumeTransferTests {
    @Test("a VMware disk becomes a volume, leaves as a VirtualBox disk, comes back, and the data never changes")
    func localRoundTrip() async throws {
        try await withTemporaryDirectory(prefix: "jv") { folder in
            let original = try await Self.guestDisk(in: folder)
            let vmdk = folder + "/web.vmdk"
            try await HostTool.run("qemu-img", ["convert", "-f", "qcow2", "-O", "vmdk", original, vmdk])
            try await DaemonHarness.with { joist in
                let volumes = joist.stateDirectory + "/storage/default/volumes/default"
                #expect(try await joist.succeed(["volume", "import", "default", vmdk]) == "Imported \(vmdk) as volume default/web (qcow2, 64MiB)\n")
                #expect(try await Self.same(original, "qcow2", volumes + "/web.qcow2", "qcow2"))

                let vdi = folder + "/web.vdi"
                #expect(try await joist.succeed(["volume", "export", "default", "web", vdi]) == "Exported volume default/web to \(vdi) (vdi)\n")
                #expect(try await Self.same(original, "qcow2", vdi, "vdi"))
                let refused = try await joist.cli(["volume", "export", "default", "web", vdi])
                #expect(!refused.succeeded && refused.stderr.contains("exists already; pass --force to replace it"), "\(refused)")
                try await joist.succeed(["volume", "export", "default", "web", vdi, "--force"])

                try await joist.succeed(["volume", "import", "default", vdi, "--name", "back", "--format", "raw"])
                #expect(try await Self.same(original, "qcow2", volumes + "/back.raw", "raw"))
                let info = try await joist.succeed(["volume", "info", "default", "back"])
                #expect(info.contains("Format: raw") && info.contains("Size: 64MiB"), "\(info)")

                // A fixed VHD reads as raw to qemu-img: its footer must not become part of the volume.
                let vhd = folder + "/fixed.vhd"
                try await HostTool.run("qemu-img", ["convert", "-f", "qcow2", "-O", "vpc", "-o", "subformat=fixed,force_size=on", original, vhd])
                #expect(try await joist.succeed(["volume", "import", "default", vhd]).contains("(qcow2, 64MiB)"))
                #expect(try await Self.same(original, "qcow2", volumes + "/fixed.qcow2", "qcow2"))

                // The bytes through the API instead of host paths, as a joistd in another mount namespace needs.
                let streamed = folder + "/streamed.vhdx"
                try await joist.succeed(["volume", "export", "default", "back", streamed, "--stream"])
                try await joist.succeed(["volume", "import", "default", streamed, "--stream"])
                #expect(try await Self.same(original, "qcow2", volumes + "/streamed.qcow2", "qcow2"))
                #expect(try FileManager.default.contentsOfDirectory(atPath: joist.stateDirectory + "/staging").isEmpty)
                #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(".joist-tmp-") }.isEmpty)

                let missing = try await joist.cli(["volume", "import", "default", folder + "/nope.vmdk"])
                #expect(missing.stderr.contains("there is no such file on joistd's host"), "\(missing)")
                let unnamed = try await joist.cli(["volume", "export", "default", "web", folder + "/web.bin"])
                #expect(unnamed.stderr.contains("cannot tell the format from the name"), "\(unnamed)")
            }
        }
    }

    @Test("a remote operator uploads an image and downloads an export; nothing stays in staging")
    func remoteRoundTrip() async throws {
        try await withTemporaryDirectory(prefix: "jv") { folder in
            let original = try await Self.guestDisk(in: folder)
            let vdi = folder + "/web.vdi"
            try await HostTool.run("qemu-img", ["convert", "-f", "qcow2", "-O", "vdi", original, vdi])
            try await DaemonHarness.with(listen: true) { joist in
                let address = try #require(joist.httpsAddress)
                let token = try await joist.succeed(["token", "create", "ops", "--role", "operator"])
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                let remote = { (arguments: [String]) in
                    try await joist.run(
                        joist.joist, arguments, environment: ["JOIST_CONFIG_DIR": folder + "/client", "PATH": "/usr/bin:/bin"])
                }
                let added = try await remote(["remote", "add", "lab", "https://\(address)", "--token", token])
                try #require(added.succeeded, "\(added)")

                let imported = try await remote(["--remote", "lab", "volume", "import", "default", vdi, "--source-format", "vdi"])
                #expect(imported.succeeded && imported.stdout == "Imported \(vdi) as volume default/web (qcow2, 64MiB)\n", "\(imported)")
                let volumes = joist.stateDirectory + "/storage/default/volumes/default"
                #expect(try await Self.same(original, "qcow2", volumes + "/web.qcow2", "qcow2"))

                let vmdk = folder + "/out.vmdk"
                let exported = try await remote(["--remote", "lab", "volume", "export", "default", "web", vmdk])
                #expect(exported.succeeded, "\(exported)")
                #expect(try await Self.same(original, "qcow2", vmdk, "vmdk"))
                #expect(try FileManager.default.contentsOfDirectory(atPath: joist.stateDirectory + "/staging").isEmpty, "the download was discarded")
                let again = try await remote(["--remote", "lab", "volume", "export", "default", "web", vmdk])
                #expect(again.stderr.contains("exists already; pass --force"), "\(again)")
                let log = try await joist.succeed(["audit", "--format", "csv"])
                #expect(log.contains("volume.import") && log.contains("volume.export"), "\(log)")
            }
        }
    }

    @Test("a daemon killed in the middle of an export leaves a temporary that its next start removes")
    func crashDuringExport() async throws {
        try await withTemporaryDirectory(prefix: "jv") { folder in
            let big = folder + "/big.qcow2"
            try await HostTool.run("qemu-img", ["create", "-q", "-f", "qcow2", big, "2G"])
            // 1 GiB of data for qemu-img to copy: the export runs long enough to be interrupted.
            try await Self.qemuIO(big, (0..<64).map { "write -P \($0 + 1) \($0 * 32)M 16M" })
            try await DaemonHarness.with { joist in
                try await joist.succeed(["volume", "import", "default", big])
                let destination = folder + "/big.vmdk"
                let export = Task { try await joist.cli(["volume", "export", "default", "big", destination]) }
                let started = await eventually(timeout: .seconds(60)) {
                    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).contains { $0.hasPrefix(".joist-tmp-") }
                }
                #expect(started, "the export's temporary appeared")
                await joist.killDaemon()
                _ = try await export.value
                try await joist.start()
                let left = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
                #expect(left == ["big.qcow2"], "neither the temporary nor a partial file remains")
                #expect(joist.daemonLog().contains("left by an interrupted transfer"))
                #expect(try FileManager.default.contentsOfDirectory(atPath: joist.stateDirectory + "/staging").isEmpty)
            }
        }
    }

    /// A 64 MiB qcow2 disk with data written at its start, its middle and its end, as a guest would.
    static func guestDisk(in folder: String) async throws -> String {
        let path = folder + "/original.qcow2"
        try await HostTool.run("qemu-img", ["create", "-q", "-f", "qcow2", path, "64M"])
        try await qemuIO(path, ["write -P 0x11 0 1M", "write -P 0x22 30M 3M", "write -P 0x33 63M 1M"])
        return path
    }

    /// Whether two images hold the same data (`qemu-img compare`).
    static func same(_ a: String, _ aFormat: String, _ b: String, _ bFormat: String) async throws -> Bool {
        let result = try await CommandRunner.run("/usr/bin/qemu-img", ["compare", "-q", "-f", aFormat, "-F", bFormat, a, b])
        return result.status == 0
    }

    static func qemuIO(_ path: String, _ commands: [String]) async throws {
        try await HostTool.run("qemu-io", ["-f", "qcow2"] + commands.flatMap { ["-c", $0] } + [path])
    }
}
