import Foundation
import HostKit
import JoistTestTraits
import JoistTesting
import Testing

/// The cloud-init NoCloud seed of a real guest: the ISO the daemon writes at each start, what QEMU is
/// given, and what the guest reads from its CD-ROM. The test guest has no cloud-init; it mounts the
/// seed and reads it back.
@Suite("cloud-init seeds (real QEMU)", .bootsGuests, .serialized, .timeLimit(.minutes(15)))
struct CloudInitSeedTests {
    static let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIINe4rce216ByVBjT6E9ANJ+XMdMlO5X8x940i5+Cd4l me@laptop"

    @Test("a seed labelled cidata with the three files, a non-booting CD the guest reads, and an instance-id that moves only with --reapply")
    func seed() async throws {
        let guest = try await TestGuest.locate()
        try await withTemporaryDirectory(prefix: "jseed") { folder in
            let keyFile = folder + "/id.pub"
            let userData = folder + "/user-data"
            let bad = folder + "/bad"
            try "\(Self.key)\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
            try "#cloud-config\nruncmd:\n  - [sh, -c, 'echo first > /marker']\n".write(toFile: userData, atomically: true, encoding: .utf8)
            try "#cloud-config\nruncmd: [oops\npackages: []\n".write(toFile: bad, atomically: true, encoding: .utf8)
            try await DaemonHarness.with { joist in
                // Bad user-data: refused before anything is made.
                try await joist.createGuest("ok", guest: guest)
                let refused = try await joist.cli(["create", "broken", "--kernel", guest.kernel, "--user-data", bad])
                #expect(!refused.succeeded && refused.stderr.contains("not valid YAML: line 3"), "\(refused)")
                let badKey = try await joist.cli(["create", "broken", "--kernel", guest.kernel, "--hostname", "no_underscores"])
                #expect(!badKey.succeeded && badKey.stderr.contains("hostname 'no_underscores' is not valid"), "\(badKey)")
                #expect(!(try await joist.succeed(["list", "--format", "csv"])).contains("broken"))
                let plainSet = try await joist.cli(["config", "set", "ok", "cloud-init.user-data=@" + bad])
                #expect(!plainSet.succeeded && plainSet.stderr.contains("not valid YAML"), "\(plainSet)")
                #expect((try await joist.info("ok")["config"] as? [String: Any])?["cloudInit"] == nil)

                try await joist.createGuest("seeded", guest: guest, extra: ["--ssh-key", keyFile, "--user-data", userData, "--hostname", "box"])
                let console = try await joist.startWithConsole("seeded")
                let iso = joist.stateDirectory + "/instances/seeded/cidata.iso"
                try await Self.expectSeed(iso, instanceID: "seeded-1", userDataContains: "echo first")
                let meta = try await Self.isoFile(iso, "/meta-data")
                #expect(meta.contains("local-hostname: \"box\""), "\(meta)")
                let user = try await Self.isoFile(iso, "/user-data")
                #expect(user.hasPrefix("#cloud-config\n") && user.contains(Self.key) && user.contains("name: joist"), "\(user)")

                // QEMU got the seed as a second SCSI CD with no boot index.
                let pid = try #require(try await joist.info("seeded")["pid"] as? Int)
                let argv = try #require(KernelFile.text("/proc/\(pid)/cmdline")).split(separator: "\0")
                let device = try #require(argv.first { $0.contains("\"cidata0-dev\"") }, "\(argv)")
                #expect(device.contains("\"scsi-cd\"") && !device.contains("bootindex"), "\(device)")
                #expect(argv.contains { $0.contains("\"read-only\":true") && $0.contains(iso) }, "\(argv)")

                // The guest sees the CD-ROM and reads the seed from it.
                console.send("mkdir -p /seed && mount -t iso9660 -o ro /dev/sr0 /seed && echo M$(grep instance-id /seed/meta-data | tr -d ' \"')M\n")
                #expect(await console.waitFor("Minstance-id:seeded-1M"), "\(console.output)")
                await console.close()

                // A plain change keeps the instance-id; --reapply moves it. Each start rewrites the seed.
                try await joist.succeed(["stop", "--force", "seeded"])
                try "#cloud-config\nruncmd:\n  - [sh, -c, 'echo second > /marker']\n".write(toFile: userData, atomically: true, encoding: .utf8)
                try await joist.succeed(["config", "set", "seeded", "cloud-init.user-data=@" + userData])
                try await joist.succeed(["start", "seeded"])
                try await Self.expectSeed(iso, instanceID: "seeded-1", userDataContains: "echo second")
                try await joist.succeed(["stop", "--force", "seeded"])
                try await joist.succeed(["config", "set", "seeded", "cloud-init.user-data=@" + userData, "--reapply"])
                try await joist.succeed(["start", "seeded"])
                try await Self.expectSeed(iso, instanceID: "seeded-2", userDataContains: "echo second")
                let info = try await joist.succeed(["info", "seeded"])
                #expect(info.contains("instance-id: seeded-2") && info.contains(" bytes, #cloud-config"), "\(info)")

                // Without cloud-init settings the seed goes away at the next start.
                try await joist.succeed(["stop", "--force", "seeded"])
                try await joist.succeed(["config", "set", "seeded", "cloud-init.user-data=", "cloud-init.ssh-keys=", "cloud-init.hostname="])
                try await joist.succeed(["start", "seeded"])
                #expect(!FileManager.default.fileExists(atPath: iso))
                try await joist.succeed(["delete", "--force", "seeded"])
            }
        }
    }

    /// The ISO at `path` is labelled cidata, holds exactly the three seed files, and carries
    /// `instanceID` and user-data with `userDataContains`.
    static func expectSeed(_ path: String, instanceID: String, userDataContains text: String) async throws {
        let header = try await CommandRunner.run("/usr/bin/isoinfo", ["-d", "-i", path])
        #expect(header.stdout.contains("Volume id: cidata"), "\(header)")
        let listing = try await CommandRunner.run("/usr/bin/isoinfo", ["-R", "-f", "-i", path])
        #expect(listing.stdout.split(separator: "\n").sorted() == ["/meta-data", "/network-config", "/user-data"], "\(listing)")
        #expect(try await isoFile(path, "/meta-data").contains("instance-id: \"\(instanceID)\""))
        #expect(try await isoFile(path, "/user-data").contains(text))
        #expect(try await isoFile(path, "/network-config").contains("version: 2"))
    }

    static func isoFile(_ path: String, _ file: String) async throws -> String {
        let result = try await CommandRunner.run("/usr/bin/isoinfo", ["-R", "-i", path, "-x", file])
        try #require(result.succeeded, "\(result)")
        return result.stdout
    }
}
