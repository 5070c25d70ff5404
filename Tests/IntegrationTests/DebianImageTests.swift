import Foundation
import JoistTestTraits
import JoistTesting
import Testing

/// `joist image build debian-12`: a real Debian image, built once per test run (cached in `.cache/`
/// between runs), stored, built again from the cache at once, and booted by the firmware under TCG
/// to its login prompt.
@Suite("Debian image builds (real debootstrap, real QEMU)", .bootsGuests(1), .serialized, .timeLimit(.minutes(30)))
struct DebianImageTests {
    @Test("the built debian-12 image is cached by its inputs and boots through SeaBIOS and GRUB to a login prompt, cloud-init done")
    func buildsAndBoots() async throws {
        let prepared = try await DebianTestImage.file()
        if let buildTime = prepared.buildTime { print("debian-12: built through joistd in \(buildTime)") }
        try await DaemonHarness.with { joist in
            try await DebianTestImage.ensure(in: joist)
            let info = try await joist.json(["image", "info", DebianTestImage.alias, "--format", "json"])
            #expect(info["format"] as? String == "qcow2" && info["virtualSize"] as? String == "8GiB", "\(info)")
            print("debian-12: qcow2 file of \(info["fileSize"] ?? "?") bytes")

            // The same inputs again: answered at once from the image store, nothing built.
            let started = ContinuousClock.now
            let again = try await joist.succeed(["image", "build", "debian-12"])
            let cachedTime = ContinuousClock.now - started
            #expect(again.contains("nothing built"), "\(again)")
            #expect(cachedTime < .seconds(10), "a cached build took \(cachedTime)")
            print("debian-12: cached build answered in \(cachedTime)")

            let booted = ContinuousClock.now
            try await joist.succeed(["launch", DebianTestImage.alias, "d1", "--memory", "1GiB", "--accel", "tcg"])
            #expect(try await joist.waitForConsole("d1", containing: "login:", timeout: .seconds(600)), "\(joist.daemonLog())")
            print("debian-12: firmware boot to the login prompt under TCG in \(ContinuousClock.now - booted)")
            // cloud-init ran every stage (with no seed attached, on its fallback datasource).
            #expect(try await joist.waitForConsole("d1", containing: "Datasource DataSourceNone", timeout: .seconds(300)))
            print("debian-12: cloud-init finished \(ContinuousClock.now - booted) after launch")
            let console = try await joist.cli(["console", "d1", "--log"]).stdout
            #expect(console.contains("root=UUID=") && console.contains("console=ttyS0"), "GRUB booted the disk's kernel: \(console.prefix(2000))")
            #expect(console.contains(" finished at "), "\(console.suffix(3000))")
            for failure in ["FAILED", "emergency mode", "Running module", "update-locale: Error"] {
                #expect(!console.contains(failure), "\(failure) on the console: \(console.suffix(4000))")
            }
            try await joist.succeed(["delete", "--force", "d1"])
        }
    }

    @Test("other architectures and unknown distributions are refused at once, naming what is supported, and build nothing")
    func refusals() async throws {
        try await DaemonHarness.with { joist in
            let arm = try await joist.cli(["image", "build", "debian-12", "--arch", "arm64"])
            #expect(!arm.succeeded && arm.stderr.contains("only amd64 is supported"), "\(arm)")
            let other = try await joist.cli(["image", "build", "ubuntu-24.04"])
            #expect(!other.succeeded && other.stderr.contains("the image builder knows debian-12"), "\(other)")
            let small = try await joist.cli(["image", "build", "debian-12", "--size", "1GiB"])
            #expect(!small.succeeded && small.stderr.contains("needs at least 2GiB"), "\(small)")
            let images = try await joist.succeed(["image", "list", "--format", "json"])
            #expect((try JSONSerialization.jsonObject(with: Data(images.utf8)) as? [Any])?.isEmpty == true, "\(images)")
            let builds = (try? FileManager.default.contentsOfDirectory(atPath: joist.stateDirectory + "/image-builds")) ?? []
            #expect(builds.isEmpty)
        }
    }
}
