import Foundation
import HostKit
import JoistCore
import Logging
import Testing

@testable import ImageBuilder

/// Real builds that fail: whatever step fails, and whatever it left mounted or attached in the
/// build's folder (as a killed debootstrap leaves /proc and /sys mounted in its target), no mount,
/// loop device, temporary or output is left.
@Suite("Failed image builds leave nothing behind (root, real mounts and loop devices)", .serialized)
struct BuildCleanupTests {
    let builder = ImageBuilder(logger: Logger(label: "test"))

    func layout() throws -> BuildLayout {
        let base = FileManager.default.temporaryDirectory.path + "/jbuild-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: false)
        return BuildLayout(folder: base + "/work", output: base + "/image.qcow2")
    }

    func expectNothingLeft(_ layout: BuildLayout) throws {
        let mountInfo = try #require(KernelFile.text("/proc/self/mountinfo"))
        #expect(BuildCleanup.mountPoints(under: layout.folder, mountInfo: mountInfo).isEmpty)
        #expect(BuildCleanup.loopDevices(backedBy: layout.folder).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: layout.folder))
        #expect(!FileManager.default.fileExists(atPath: layout.output))
        try FileManager.default.removeItem(atPath: (layout.folder as NSString).deletingLastPathComponent)
    }

    /// Steps that leave a proc and a tmpfs mounted in the folder (one inside the other), a loop
    /// device on a file in it and a partial output, checked, then `last`.
    func messyPlan(_ layout: BuildLayout, then last: BuildStep.Action) -> BuildPlan {
        let root = layout.root
        return BuildPlan(steps: [
            BuildStep("installing packages", .write(path: root + "/etc/hostname", contents: "x\n", mode: 0o644)),
            BuildStep("installing packages", .run(["mkdir", "-p", root + "/proc", root + "/run"])),
            BuildStep("installing packages", .run(["mount", "-t", "proc", "proc", root + "/proc"])),
            BuildStep("installing packages", .run(["mount", "-t", "tmpfs", "tmpfs", root + "/run"])),
            BuildStep("installing packages", .run(["mkdir", "-p", root + "/run/inner"])),
            BuildStep("installing packages", .run(["mount", "-t", "tmpfs", "tmpfs", root + "/run/inner"])),
            BuildStep("partitioning", .run(["truncate", "--size", "64M", layout.disk])),
            BuildStep("partitioning", .run(["losetup", "--find", layout.disk])),
            BuildStep("converting", .write(path: layout.output, contents: "partial", mode: 0o644)),
            // The build fails at `last` only if all of that held.
            BuildStep("checking", .run(["findmnt", "--mountpoint", root + "/run/inner"])),
            BuildStep("checking", .run(["sh", "-c", "losetup --associated \"$1\" | grep -q loop", "sh", layout.disk])),
            BuildStep("failing", last),
        ])
    }

    @Test("a step failing with file systems mounted and a loop device attached in the folder releases them all and removes it")
    func failsWhileMounted() async throws {
        let layout = try layout()
        await #expect { try await builder.execute(messyPlan(layout, then: .run(["false"])), in: layout) } throws: {
            "\($0)".contains("false failed")
        }
        try expectNothingLeft(layout)
    }

    @Test("a cancelled build releases the same")
    func cancelled() async throws {
        let layout = try layout()
        let marker = layout.folder + "/waiting"
        let build = Task { try await builder.execute(messyPlan(layout, then: .run(["sh", "-c", "touch \"$1\"; exec sleep 600", "sh", marker])), in: layout) }
        let started = ContinuousClock.now
        while !FileManager.default.fileExists(atPath: marker), ContinuousClock.now - started < .seconds(30) {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(FileManager.default.fileExists(atPath: marker), "the build reached its last step")
        build.cancel()
        await #expect(throws: CancellationError.self) { try await build.value }
        try expectNothingLeft(layout)
    }

    @Test("a package Debian does not have fails debootstrap, naming it, and leaves nothing")
    func bogusPackage() async throws {
        let layout = try layout()
        let mirror = try Mirror.host()
        var recipe = Distribution.debian12.recipe(for: .amd64, mirror: mirror)
        recipe.packages.append("joist-no-such-package")
        let request = try BuildRequest(recipe: recipe, mirror: mirror)
        await #expect {
            try await builder.build(request, in: layout)
        } throws: { error in
            "\(error)".contains("joist-no-such-package")
        }
        try expectNothingLeft(layout)
    }
}
