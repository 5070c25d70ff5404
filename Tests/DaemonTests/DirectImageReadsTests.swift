import Backup
@testable import Daemon
import Foundation
import HostKit
import JoistCore
import Storage
import Testing

@Suite("A stopped disk's backup reads its image files directly")
struct DirectImageReadsTests {
    /// A qcow2 overlay over a qcow2 base, with data in both layers, zeros written over the base's
    /// data, and a compressed cluster in each (which only QEMU can read); and the same disk as a raw
    /// file, the contents as a guest reads them.
    struct Chain {
        let folder: String
        var top: String { folder + "/top.qcow2" }
        var raw: String { folder + "/top.raw" }

        static func make() async throws -> Chain {
            let folder = FileManager.default.temporaryDirectory.appending(path: "jdr-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let chain = Chain(folder: folder)
            let base = folder + "/base.qcow2"
            try await tool("qemu-img", ["create", "-q", "-f", "qcow2", base, "64M"])
            try await tool("qemu-io", ["-f", "qcow2", "-c", "write -P 1 0 3M", "-c", "write -c -P 5 8M 64k", base])
            try await tool("qemu-img", ["create", "-q", "-f", "qcow2", "-b", base, "-F", "qcow2", chain.top])
            try await tool(
                "qemu-io",
                ["-f", "qcow2", "-c", "write -P 2 1M 1M", "-c", "write -z 2M 512k", "-c", "write -P 3 60M 4M", "-c", "write -c -P 4 32M 64k", chain.top])
            try await tool("qemu-img", ["convert", "-f", "qcow2", "-O", "raw", chain.top, chain.raw])
            return chain
        }

        func cleanUp() { try? FileManager.default.removeItem(atPath: folder) }

        static func tool(_ name: String, _ arguments: [String]) async throws {
            let executable = try #require(HostCommand.locate(name), "\(name) is not installed (scripts/install-deps)")
            _ = try await HostCommand(executable, arguments).check(name)
        }

        /// The overlay read from its files, falling back to the raw copy where it must.
        func mapped() async throws -> MappedImageSource {
            let qemuImg = QemuImg()
            let fallback = try FileBackupSource(path: raw)
            let layout = try #require(
                DirectImageReads.layout(
                    map: try await qemuImg.map(top, format: .qcow2), chain: try await qemuImg.chain(top, format: .qcow2), size: fallback.size))
            return try MappedImageSource(layers: layout.0, mapping: layout.1, fallback: fallback)
        }
    }

    @Test("every read equals the guest's view, and only the compressed clusters go through the fallback")
    func readsMatchTheGuestsView() async throws {
        let chain = try await Chain.make()
        defer { chain.cleanUp() }
        let source = try await chain.mapped()
        let reference = try FileBackupSource(path: chain.raw)
        // Both layers' files are read, each under its own absolute path.
        #expect(source.mapping.extents.contains { $0.place.layer == 1 })
        var offset: UInt64 = 0
        // Odd lengths, so reads start and end inside runs and clusters.
        let lengths = [1 << 20, 3 << 20 + 4097, 65_535, 7 << 20]
        var turn = 0
        while offset < source.size {
            let length = Int(min(UInt64(lengths[turn % lengths.count]), source.size - offset))
            let mine = try await source.read(offset: offset, length: length)
            let theirs = try await reference.read(offset: offset, length: length)
            #expect(mine == theirs, "bytes differ in \(length) at \(offset)")
            offset += UInt64(length)
            turn += 1
        }
        #expect(source.bytesReadThroughFallback == 2 * 65_536)
    }

    @Test("the zero runs include the zeros written over the base's data, and no data")
    func zeroRuns() async throws {
        let chain = try await Chain.make()
        defer { chain.cleanUp() }
        let zeros = try #require(try await chain.mapped().zeroExtents())
        let mib: UInt64 = 1 << 20
        #expect(zeros.contains { $0.offset <= 2 * mib && $0.end >= 2 * mib + mib / 2 })
        for data in [DiskExtent(offset: 0, length: 2 * mib), DiskExtent(offset: 60 * mib, length: 4 * mib)] {
            #expect(!zeros.contains { $0.offset < data.end && data.offset < $0.end })
        }
    }

    @Test("a backup from the files stores the very chunks a backup of the guest's view does")
    func sameBackup() async throws {
        let chain = try await Chain.make()
        defer { chain.cleanUp() }
        let store = try ChunkStore.openOrCreate(chain.folder + "/store", chunkSize: 1 << 20)
        let direct = try await BackupWriter(store: store).write(project: "default", instance: "vm", disks: ["d": try await chain.mapped()])
        let plain = try await BackupWriter(store: store).write(
            project: "default", instance: "vm", disks: ["d": try FileBackupSource(path: chain.raw)], id: BackupID(date: Date().addingTimeInterval(1)))
        #expect(direct.disks.map(\.chunks) == plain.disks.map(\.chunks))
        #expect(plain.stats.chunksNew == 0)
    }

    @Test("a layer QEMU does not store plainly (encrypted, external data) is read through the fallback")
    func nonPlainLayers() {
        let map = [QemuImg.MapExtent(start: 0, length: 100, depth: 0, zero: false, data: true, offset: 4096)]
        let plain = DirectImageReads.layout(map: map, chain: [QemuImg.ChainLayer(filename: "/a.qcow2", format: "qcow2", plain: true)], size: 100)
        #expect(plain?.1.extents.first?.place == .file(layer: 0, offset: 4096))
        for chain in [
            [QemuImg.ChainLayer(filename: "/a.qcow2", format: "qcow2", plain: false)],
            [QemuImg.ChainLayer(filename: "json:{}", format: "qcow2", plain: true)],
            [],
        ] {
            #expect(DirectImageReads.layout(map: map, chain: chain, size: 100)?.1.extents.first?.place == .elsewhere)
        }
        #expect(DirectImageReads.layout(map: map, chain: [], size: 200) == nil)
    }
}

extension HostMapping.Place {
    var layer: Int? {
        if case .file(let layer, _) = self { layer } else { nil }
    }
}
