import Foundation
import JoistCore
import Storage
import Testing

@Suite("Image import: format detection")
struct ImageProbeTests {
    let probe = ImageProbe()

    @Test("the format comes from the contents, and the virtual size is exact", arguments: ImageSample.allCases)
    func detect(_ sample: ImageSample) async throws {
        try await withScratchFolder { folder in
            let path = try await sample.make(in: folder)
            let detected = try await probe.detect(path, what: "the upload")
            #expect(detected.kind == sample.expected)
            let fileSize = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber).uint64Value
            #expect(detected.virtualSize == (sample.isISO ? fileSize : ImageSample.size))
            switch sample.expected {
            case .iso:
                #expect(detected.storedFormat == .iso && !detected.needsConversion)
            case .disk(.qcow2), .disk(.raw):
                #expect(detected.storedFormat.rawValue == sample.rawValue && !detected.needsConversion)
            case .disk:
                #expect(detected.storedFormat == .qcow2 && detected.needsConversion)
            }
        }
    }

    @Test("a raw disk whose bytes say nothing special stays raw even with CD001 elsewhere")
    func rawIsNotISO() async throws {
        try await withScratchFolder { folder in
            let path = folder + "/upload"
            var bytes = [UInt8](repeating: 0, count: 64 * 1024)
            bytes.replaceSubrange(32768..<32773, with: Array("CD001".utf8))
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(try await probe.detect(path, what: "the upload").kind == .disk(.raw))
            bytes.replaceSubrange(32769..<32774, with: Array("CD001".utf8))
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(try await probe.detect(path, what: "the upload").kind == .iso)
        }
    }

    @Test("images that would read other files of the host are refused, naming the file")
    func refusesDependentImages() async throws {
        try await withScratchFolder { folder in
            try await Tool.run("qemu-img", ["create", "-q", "-f", "qcow2", folder + "/base.qcow2", "16M"])
            try await Tool.run("qemu-img", ["create", "-q", "-f", "qcow2", "-b", "/etc/hostname", "-F", "raw", folder + "/overlay", "16M"])
            try await Tool.run("qemu-img", ["create", "-q", "-f", "qcow2", "-o", "data_file=" + folder + "/data", folder + "/external", "16M"])
            let descriptor = """
                # Disk DescriptorFile
                version=1
                CID=fffffffe
                parentCID=ffffffff
                createType="monolithicFlat"
                RW 32 FLAT "/etc/hostname" 0
                """
            try Data(descriptor.utf8).write(to: URL(fileURLWithPath: folder + "/descriptor"))
            let cases = [
                ("overlay", "backing file '/etc/hostname'"), ("external", "external file '\(folder)/data'"),
                ("descriptor", "other files ('/etc/hostname')"),
            ]
            for (name, reason) in cases {
                let error = await #expect(throws: JoistError.self) { try await probe.detect(folder + "/" + name, what: name) }
                #expect(error?.code == .invalidArgument, "\(name)")
                #expect(error?.message.hasPrefix("cannot import \(name): ") == true, "\(name): \(error?.message ?? "")")
                #expect(error?.message.contains(reason) == true, "\(name): \(error?.message ?? "")")
            }
        }
    }

    @Test("other formats and empty files are refused")
    func refusesTheRest() async throws {
        try await withScratchFolder { folder in
            try await Tool.run("qemu-img", ["create", "-q", "-f", "qed", folder + "/old", "16M"])
            let unsupported = await #expect(throws: JoistError.self) { try await probe.detect(folder + "/old", what: "old") }
            #expect(unsupported?.code == .unsupported)
            #expect(unsupported?.message.contains("its format is qed") == true, "\(unsupported?.message ?? "")")
            _ = FileManager.default.createFile(atPath: folder + "/empty", contents: nil)
            let empty = await #expect(throws: JoistError.self) { try await probe.detect(folder + "/empty", what: "empty") }
            #expect(empty?.message == "cannot import empty: the file is empty")
        }
    }
}
