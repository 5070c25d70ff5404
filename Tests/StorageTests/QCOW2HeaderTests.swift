import Foundation
import JoistCore
import Storage
import Testing

@Suite("qcow2 header")
struct QCOW2HeaderTests {
    @Test("the snapshot count read from the header follows qemu-img's snapshots; raw and short files are not qcow2")
    func snapshotCount() async throws {
        try await withScratchFolder { folder in
            let qemuImg = QemuImg()
            let path = folder + "/disk.qcow2"
            try await qemuImg.create(path, format: .qcow2, size: 64 * mebibyte)
            #expect(try QCOW2Header.read(atPath: path)?.snapshotCount == 0)
            for name in ["one", "two"] { try await qemuImg.snapshot(.create, tag: name, path: path) }
            #expect(try QCOW2Header.read(atPath: path)?.snapshotCount == 2)
            try await qemuImg.snapshot(.delete, tag: "one", path: path)
            #expect(try QCOW2Header.read(atPath: path)?.snapshotCount == 1)

            try await qemuImg.create(folder + "/disk.raw", format: .raw, size: 64 * mebibyte)
            #expect(try QCOW2Header.read(atPath: folder + "/disk.raw") == nil)
            #expect(QCOW2Header(prefix: [0x51, 0x46, 0x49, 0xFB, 0, 0, 0, 3]) == nil, "too short")
            #expect(throws: JoistError.self) { try QCOW2Header.read(atPath: folder + "/missing.qcow2") }
        }
    }
}
