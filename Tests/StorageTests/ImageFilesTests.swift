import Foundation
import JoistCore
import Storage
import Synchronization
import Testing

@Suite("Image store files: staging with SHA-256, storing, sweeping")
struct ImageFilesTests {
    @Test("a staging file hashes what is written, in whatever chunks it arrives, as sha256sum does")
    func stagingHash() async throws {
        try await withScratchFolder { folder in
            let files = ImageFiles(stateDirectory: folder)
            try files.prepare()
            let staging = try files.newStagingFile(expectedSize: nil, reserve: 0)
            var generator = SystemRandomNumberGenerator()
            var written: UInt64 = 0
            for chunk in [1, 4095, 65_536, 3, 1 << 20, 77_777] {
                let bytes = (0..<chunk).map { _ in UInt8.random(in: 0...255, using: &generator) }
                try staging.write(bytes)
                written += UInt64(chunk)
            }
            let staged = try staging.finish()
            #expect(staged.size == written)
            #expect(staged.path.hasPrefix(folder + "/staging/"))
            #expect(staged.fingerprint == (try await sha256sum(staged.path)))
            #expect(try ImageFingerprint.validate(staged.fingerprint) == staged.fingerprint)
        }
    }

    @Test("zeroes are skipped over, not written: a sparse raw image stays sparse, with the same length and hash")
    func stagingSparse() async throws {
        try await withScratchFolder { folder in
            let files = ImageFiles(stateDirectory: folder)
            try files.prepare()
            let staging = try files.newStagingFile(expectedSize: nil, reserve: 0)
            let zeroes = [UInt8](repeating: 0, count: 1 << 20)
            try staging.write(Array("boot sector".utf8))
            for _ in 0..<16 { try staging.write(zeroes) }
            let staged = try staging.finish()
            var info = stat()
            #expect(stat(staged.path, &info) == 0)
            #expect(UInt64(info.st_size) == 16 * mebibyte + 11)
            #expect(UInt64(info.st_blocks) * 512 < mebibyte, "\(info.st_blocks) blocks allocated")
            #expect(staged.fingerprint == (try await sha256sum(staged.path)))
        }
    }

    @Test("a staging file that is discarded or dropped unfinished leaves nothing")
    func stagingCleanUp() async throws {
        try await withScratchFolder { folder in
            let files = ImageFiles(stateDirectory: folder)
            try files.prepare()
            let discarded = try files.newStagingFile(expectedSize: 10, reserve: 0)
            try discarded.write(Array("partial".utf8))
            #expect(FileManager.default.fileExists(atPath: discarded.path))
            discarded.discard()
            #expect(!FileManager.default.fileExists(atPath: discarded.path))
            do {
                let dropped = try files.newStagingFile(expectedSize: nil, reserve: 0)
                try dropped.write(Array("partial".utf8))
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: files.stagingFolder) == [])
        }
    }

    @Test("a transfer that would leave less than the reserve free is refused before a byte is written")
    func stagingSpace() async throws {
        try await withScratchFolder { folder in
            let files = ImageFiles(stateDirectory: folder)
            try files.prepare()
            let free = try files.space().free
            let refused = #expect(throws: JoistError.self) { try files.newStagingFile(expectedSize: free, reserve: 1 << 30) }
            #expect(refused?.code == .invalidState)
            #expect(refused?.message.contains("the image needs") == true, "\(refused?.message ?? "")")
            let reserve = #expect(throws: JoistError.self) { try files.newStagingFile(expectedSize: nil, reserve: UInt64.max / 2) }
            #expect(reserve?.message.contains("imports keep") == true, "\(reserve?.message ?? "")")
            #expect(try FileManager.default.contentsOfDirectory(atPath: files.stagingFolder) == [])
        }
    }

    @Test("qcow2, raw and ISO files move into the store unchanged; other formats become qcow2 with the same data",
          arguments: [ImageSample.qcow2, .raw, .isoXorriso, .vmdk, .vhdx])
    func store(_ sample: ImageSample) async throws {
        try await withScratchFolder { folder in
            let files = ImageFiles(stateDirectory: folder + "/state")
            try files.prepare()
            let original = try await sample.make(in: folder)
            let staged = try await files.stageCopy(of: original, reserve: 0, progress: nil)
            #expect(staged.fingerprint == (try await sha256sum(original)))
            let detected = try await ImageProbe().detect(staged.path, what: "the upload")
            let progress = Mutex<[Double]>([])
            let stored = try await files.store(
                staged.path, fingerprint: staged.fingerprint, detected: detected, reserve: 0, progress: { value in progress.withLock { $0.append(value) } })
            #expect(stored == folder + "/state/images/\(staged.fingerprint).\(detected.storedFormat.rawValue)")
            #expect(!FileManager.default.fileExists(atPath: staged.path), "the staged file is gone")
            #expect(progress.withLock { $0.last } == 1)
            if case .disk(let format) = detected.kind, detected.needsConversion {
                #expect(try await QemuImg().compare(original, format: format, stored, format: .qcow2))
            } else {
                #expect(try await sha256sum(stored) == staged.fingerprint, "stored byte for byte")
            }
            let listed = try files.stored()
            #expect(listed.map(\.fingerprint) == [staged.fingerprint] && listed.map(\.format) == [detected.storedFormat])
        }
    }

    @Test("sweep removes what interrupted imports left and nothing else")
    func sweep() async throws {
        try await withScratchFolder { folder in
            let files = ImageFiles(stateDirectory: folder)
            try files.prepare()
            let fingerprint = String(repeating: "ab", count: 32)
            let image = try files.path(of: fingerprint, format: .raw)
            let leftovers = [
                files.stagingFolder + "/upload-1234", files.folder + "/.joist-tmp-0123456789abcdef-\(fingerprint).qcow2",
            ]
            for path in [image, files.folder + "/notes.txt"] + leftovers {
                #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
            }
            #expect(Set(try files.sweep()) == Set(leftovers))
            #expect(try FileManager.default.contentsOfDirectory(atPath: files.folder).sorted() == ["\(fingerprint).raw", "notes.txt"])
            #expect(try files.stored().map(\.fingerprint) == [fingerprint])
        }
    }

    @Test("fingerprints are 64 lowercase hex digits; nothing else reaches a path")
    func fingerprints() throws {
        let files = ImageFiles(stateDirectory: "/var/lib/joist")
        for bad in ["", "../../etc/passwd", String(repeating: "A", count: 64), String(repeating: "a", count: 63)] {
            #expect(throws: JoistError.self) { try files.path(of: bad, format: .qcow2) }
        }
        let good = String(repeating: "0f", count: 32)
        #expect(try files.path(of: good, format: .iso) == "/var/lib/joist/images/\(good).iso")
    }
}
