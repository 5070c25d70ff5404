import Foundation
import JoistCore
import Storage
import Testing

/// What an image file to import is: its format (probed or declared), its size, and the other files
/// it reads.
@Suite("qemu-img: inspecting images to import")
struct SourceImageTests {
    let qemuImg = QemuImg()

    /// A 16 MiB qcow2 image with 0x5a in its first MiB, converted to `format` as `name`.
    func image(_ format: ImageFileFormat, in folder: String, name: String = "disk", options: [String] = []) async throws -> String {
        let base = folder + "/base-\(UUID().uuidString.prefix(6)).qcow2"
        try await qemuImg.create(base, format: .qcow2, size: 16 * mebibyte)
        try await Tool.write(base, format: .qcow2, pattern: 0x5a)
        let path = folder + "/" + name + "." + format.fileExtension
        let extra = options.isEmpty ? [] : ["-o", options.joined(separator: ",")]
        try await Tool.run("qemu-img", ["convert", "-f", "qcow2", "-O", format.rawValue] + extra + [base, path])
        try FileManager.default.removeItem(atPath: base)
        return path
    }

    @Test("every format is recognised with its virtual size and no other files", arguments: ImageFileFormat.allCases)
    func probe(format: ImageFileFormat) async throws {
        try await withScratchFolder { folder in
            let path = try await image(format, in: folder, options: format == .vpc ? ["force_size=on"] : [])
            let found = try await qemuImg.inspectSource(path, format: nil)
            #expect(found == QemuImg.SourceImage(path: path, format: format, virtualSize: 16 * mebibyte))
        }
    }

    @Test("a fixed VHD, which qemu-img probes as raw, is taken for the VHD it is; a declared format is believed")
    func fixedVHD() async throws {
        try await withScratchFolder { folder in
            let path = try await image(.vpc, in: folder, options: ["subformat=fixed", "force_size=on"])
            let probed = try await Tool.run("qemu-img", ["info", "--output=json", path])
            #expect(probed.contains("\"format\": \"raw\""), "the reason this exists")
            let found = try await qemuImg.inspectSource(path, format: nil)
            #expect(found.format == .vpc)
            #expect(found.virtualSize == 16 * mebibyte)
            let declared = try await qemuImg.inspectSource(path, format: .raw)
            #expect(declared.format == .raw)
            #expect(declared.virtualSize == 16 * mebibyte + 512, "read as raw, the footer is data")
        }
    }

    @Test("a raw image that merely ends in text is raw")
    func rawIsRaw() async throws {
        try await withScratchFolder { folder in
            let path = folder + "/disk.img"
            var bytes = [UInt8](repeating: 0, count: 1 << 20)
            bytes.replaceSubrange((bytes.count - 512)..<(bytes.count - 504), with: Array("conectix".utf8))
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(try await qemuImg.inspectSource(path, format: nil).format == .raw, "no fixed-disk type in the footer")
        }
    }

    @Test("the files an image reads besides itself are named: a backing file, a flat vmdk's extent")
    func externalFiles() async throws {
        try await withScratchFolder { folder in
            try await qemuImg.create(folder + "/base.qcow2", format: .qcow2, size: 16 * mebibyte)
            try await qemuImg.create(
                folder + "/overlay.qcow2", format: .qcow2, size: 16 * mebibyte, backing: .init(path: "base.qcow2", format: .qcow2))
            #expect(try await qemuImg.inspectSource(folder + "/overlay.qcow2", format: nil).externalFiles == [folder + "/base.qcow2"])
            let flat = try await image(.vmdk, in: folder, name: "flat", options: ["subformat=monolithicFlat"])
            #expect(try await qemuImg.inspectSource(flat, format: nil).externalFiles == [folder + "/flat-flat.vmdk"])
            let sparse = try await image(.vmdk, in: folder, name: "sparse")
            #expect(try await qemuImg.inspectSource(sparse, format: nil).externalFiles == [])
        }
    }

    @Test("formats Joist does not import are refused, naming what it imports")
    func unsupported() async throws {
        try await withScratchFolder { folder in
            try await Tool.run("qemu-img", ["create", "-q", "-f", "qed", folder + "/disk.qed", "16M"])
            let error = await #expect(throws: JoistError.self) { try await qemuImg.inspectSource(folder + "/disk.qed", format: nil) }
            #expect(error?.code == .unsupported)
            #expect(error?.message == "cannot import \(folder)/disk.qed: it is a qed image; Joist imports qcow2, raw, vmdk, vdi, vhdx, vpc")
            let missing = await #expect(throws: JoistError.self) { try await qemuImg.inspectSource(folder + "/missing.vmdk", format: nil) }
            #expect(missing?.code == .hostFailure)
        }
    }

    @Test("the temporaries of writes to a file are found beside it, and nothing else is")
    func temporariesBeside() async throws {
        try await withScratchFolder { (folder: String) async throws in
            let names = [
                ".joist-tmp-0123456789abcdef-disk.vmdk", ".joist-tmp-0123456789abcdef-other.vmdk", "disk.vmdk",
                ".joist-tmp-0123456789abcdef-disk.vmdk.old", ".joist-tmp-xyz-disk.vmdk",
            ]
            for name in names { #expect(FileManager.default.createFile(atPath: folder + "/" + name, contents: Data())) }
            #expect(try ImageTemporaries.beside(folder + "/disk.vmdk") == [folder + "/.joist-tmp-0123456789abcdef-disk.vmdk"])
            #expect(try ImageTemporaries.remove(besides: folder + "/disk.vmdk").count == 1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).count == names.count - 1)
            #expect(try ImageTemporaries.beside(folder + "/none/disk.vmdk").isEmpty)
        }
    }
}
