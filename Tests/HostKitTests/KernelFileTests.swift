import Foundation
import HostKit
import Testing

@Suite("Reading the kernel's files whole")
struct KernelFileTests {
    @Test("a /proc file longer than a page is read to its end, as cat reads it")
    func longerThanAPage() async throws {
        // A mount namespace of its own with a hundred mounts: its mountinfo is well past a page, and
        // stays as it is while the process sleeps (this one's changes as the tests run).
        let folder = FileManager.default.temporaryDirectory.path + "/kernelfile-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let unshare = try #require(HostCommand.locate("unshare"), "unshare is not installed (util-linux)")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: unshare)
        holder.arguments = [
            "--mount", "/bin/sh", "-c",
            "for i in $(seq 1 100); do mkdir $1/m$i && mount -t tmpfs tmpfs $1/m$i || exit 1; done; touch $1/ready; exec sleep 120",
            "sh", folder,
        ]
        try holder.run()
        defer { holder.terminate() }
        let deadline = ContinuousClock.now + .seconds(180)
        while !FileManager.default.fileExists(atPath: folder + "/ready"), holder.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(FileManager.default.fileExists(atPath: folder + "/ready"), "the mounts were not made")

        let path = "/proc/\(holder.processIdentifier)/mountinfo"
        let text = try #require(KernelFile.text(path))
        let cat = try await HostCommand("/bin/cat", [path], outputLimit: 16 << 20).run()
        #expect(text.utf8.count > 4096, "only \(text.utf8.count) bytes")
        #expect(text == cat.stdout, "cat read \(cat.stdout.utf8.count) bytes, this \(text.utf8.count)")
        #expect(text.contains(folder + "/m100 "))
    }

    @Test("a file that cannot be opened is nil; bytes keep what is not UTF-8")
    func missingAndBinary() throws {
        #expect(KernelFile.text("/proc/0/no-such-file") == nil)
        #expect(KernelFile.bytes("/nonexistent/file") == nil)
        let file = FileManager.default.temporaryDirectory.path + "/kernelfile-\(UUID().uuidString)"
        defer { unlink(file) }
        try Data([0xff, 0x00, 0x41]).write(to: URL(fileURLWithPath: file))
        #expect(KernelFile.bytes(file) == [0xff, 0x00, 0x41])
        #expect(KernelFile.text(file) == nil)
    }
}
