import Daemon
import Foundation
import HostKit
import ImageBuilder
import JoistAPI
import JoistCore
import Storage
import Testing

/// What `joist image build` does before and after building: the cache by inputs, aliases, and the
/// leftovers of a daemon that stopped mid-build. (Real builds: `DebianImageTests`.)
@Suite("Images: builds cached by their inputs")
struct ImageBuildCacheTests {
    func options(alias: String? = nil, force: Bool = false) throws -> ImageBuildOptions {
        try ImageBuildOptions(distribution: "debian-12", architecture: nil, size: nil, alias: alias, force: force)
    }

    @Test("an image built from the same inputs is answered at once with the alias added; an alias naming another image is refused")
    func cached() async throws {
        let fixture = try await ImageFixture.make()
        defer { fixture.cleanUp() }
        let mirror = try Mirror.host()
        let key = try BuildRequest(recipe: Distribution.debian12.recipe(for: .amd64, mirror: mirror), mirror: mirror)
        let built = try await fixture.importFile(try await fixture.qcow2("built.qcow2"), alias: key.cacheAlias)

        let again = try await fixture.images.build(try options())
        #expect(again.cached && again.cacheKey == key.cacheKey)
        #expect(again.image.fingerprint == built.image.fingerprint)
        #expect(again.image.aliases == [key.cacheAlias, "debian-12"])

        let other = try await fixture.importFile(try await fixture.qcow2("other.qcow2", size: "32M"), alias: "taken")
        await #expect(throws: JoistError.alreadyExists(
            "image alias taken already names image \(ImageFingerprint.short(other.image.fingerprint)); remove it there first (joist image alias remove taken)"))
        {
            try await fixture.images.build(try options(alias: "taken"))
        }
        #expect(try await fixture.images.image("taken", visibleTo: nil).fingerprint == other.image.fingerprint)
    }

    @Test("a restart releases what an interrupted build left: mounts inside its folder, and the folder")
    func leftovers() async throws {
        let fixture = try await ImageFixture.make()
        defer { fixture.cleanUp() }
        let folder = fixture.directory + "/state/image-builds/interrupted"
        try FileManager.default.createDirectory(atPath: folder + "/root/proc", withIntermediateDirectories: true)
        try "x".write(toFile: folder + "/root/etc-hostname", atomically: false, encoding: .utf8)
        _ = try await fixture.tool("mount", ["-t", "tmpfs", "tmpfs", folder + "/root/proc"])
        _ = try await fixture.restarted()
        #expect(!FileManager.default.fileExists(atPath: folder))
        let mounts = try #require(KernelFile.text("/proc/self/mountinfo"))
        #expect(!mounts.contains(folder))
    }
}
