import Foundation
import JoistCore
import Logging
import Testing

@testable import ImageBuilder

/// Real builds that fail: whatever step fails, no mount, loop device, temporary or output is left.
@Suite("Failed image builds leave nothing behind (root, real loop devices)", .serialized)
struct BuildCleanupTests {
    let builder = ImageBuilder(logger: Logger(label: "test"))

    func layout() throws -> BuildLayout {
        let base = FileManager.default.temporaryDirectory.path + "/jbuild-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: false)
        return BuildLayout(folder: base + "/work", output: base + "/image.qcow2")
    }

    func expectNothingLeft(_ layout: BuildLayout) throws {
        let mountInfo = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(BuildCleanup.mountPoints(under: layout.folder, mountInfo: mountInfo).isEmpty)
        #expect(BuildCleanup.loopDevices(backedBy: layout.folder).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: layout.folder))
        #expect(!FileManager.default.fileExists(atPath: layout.output))
        try FileManager.default.removeItem(atPath: (layout.folder as NSString).deletingLastPathComponent)
    }

    /// The plan's disk steps over a tiny installed system, with `failing` inserted after the step
    /// where `predicate` first holds.
    func diskPlan(_ layout: BuildLayout, failAfter predicate: (BuildStep) -> Bool) throws -> BuildPlan {
        var recipe = Distribution.debian12.recipe(for: .amd64, mirror: "http://deb.debian.org/debian")
        recipe.files = []
        recipe.removals = []
        recipe.services = []
        let request = try BuildRequest(recipe: recipe, mirror: "http://deb.debian.org/debian")
        var plan = try BuildPlan(request, layout: layout, rootUUID: UUID().uuidString.lowercased())
        // Instead of debootstrap: a root with one file.
        plan.steps.removeAll { ["installing packages", "configuring"].contains($0.stage) }
        plan.steps.insert(BuildStep("installing packages", .write(path: layout.root + "/etc/hostname", contents: "x\n", mode: 0o644)), at: 0)
        guard let index = plan.steps.firstIndex(where: predicate) else { throw JoistError.notFound("no such step in the plan") }
        plan.steps.insert(BuildStep("failing", .run(["false"])), at: index + 1)
        return plan
    }

    @Test("a step failing while the disk is attached and its file system mounted releases both and removes the folder")
    func failsWhileMounted() async throws {
        let layout = try layout()
        var plan = try diskPlan(layout) { $0.action.description.hasPrefix("mount ") }
        // Before the failing step, the file system is mounted and the partition's device is there:
        // steps that fail otherwise, so the build fails at `false` only when both held.
        let failing = try #require(plan.steps.firstIndex { $0.stage == "failing" })
        plan.steps.insert(contentsOf: [
            BuildStep("checking", .run(["findmnt", "--mountpoint", .text(layout.mountPoint)])),
            BuildStep("checking", .run(["test", "-b", .loopPartition])),
        ], at: failing)
        await #expect { try await builder.execute(plan, in: layout) } throws: { "\($0)".contains("false failed") }
        try expectNothingLeft(layout)
    }

    @Test("a cancelled build releases the loop device it attached")
    func cancelled() async throws {
        let layout = try layout()
        var plan = try diskPlan(layout) { $0.action == .attachLoop(file: layout.disk) }
        // A step that runs until cancelled, in place of the failing one.
        let failing = try #require(plan.steps.firstIndex { $0.stage == "failing" })
        plan.steps[failing] = BuildStep("waiting", .run(["sleep", "600"]))
        let started = Date()
        let build = Task { try await builder.execute(plan, in: layout) }
        while BuildCleanup.loopDevices(backedBy: layout.folder).isEmpty, Date().timeIntervalSince(started) < 30 {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(!BuildCleanup.loopDevices(backedBy: layout.folder).isEmpty)
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
