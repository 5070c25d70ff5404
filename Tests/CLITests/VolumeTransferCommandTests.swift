import Foundation
import JoistAPI
import Testing

@testable import CLI

/// The parts of `joist volume import|export` that need no daemon: names, formats, paths, the progress
/// line, and how a download reaches its file.
@Suite("joist volume import and export")
struct VolumeTransferCommandTests {
    @Test("an import names its volume after the file; names that are not volume names are refused, asking for --name")
    func defaultName() throws {
        #expect(try VolumeCommand.Import.defaultName(for: "/srv/images/web-1.vmdk") == "web-1")
        #expect(try VolumeCommand.Import.defaultName(for: "debian-12.qcow2") == "debian-12")
        let error = #expect(throws: CLIError.self) { try VolumeCommand.Import.defaultName(for: "/srv/My Disk.vdi") }
        #expect(error?.message.hasPrefix("cannot name the volume after /srv/My Disk.vdi (") == true)
        #expect(error?.message.hasSuffix("); pass --name") == true)
    }

    @Test("an export's format comes from the file's extension, else --format is asked for")
    func exportFormat() throws {
        #expect(try VolumeCommand.Export.format(of: "/out/web.vhd") == .vpc)
        #expect(try VolumeCommand.Export.format(of: "web.VMDK") == .vmdk)
        #expect(try VolumeCommand.Export.format(of: "web.img") == .raw)
        #expect(throws: CLIError.self) { try VolumeCommand.Export.format(of: "web.bin") }
    }

    @Test("paths sent to a local joistd are absolute, whatever folder the CLI runs in")
    func absolutePaths() {
        let here = FileManager.default.currentDirectoryPath
        #expect(LocalPath.absolute("disk.vmdk") == URL(fileURLWithPath: here).appending(path: "disk.vmdk").standardizedFileURL.path)
        #expect(LocalPath.absolute("/srv/../srv/images/./disk.vmdk") == "/srv/images/disk.vmdk")
    }

    @Test("the progress line shows a bar, the percentage and the bytes")
    func progressLine() {
        #expect(TransferProgress.line("Uploading web.vmdk", done: 1 << 30, total: 4 << 30, width: 8)
            == "Uploading web.vmdk [##------] 25% 1GiB of 4GiB")
        #expect(TransferProgress.line("Downloading web.vdi", done: 3 << 20, total: nil) == "Downloading web.vdi 3MiB")
    }

    @Test("a download becomes its file only when committed: never partial, an existing file kept unless replacing")
    func downloadFile() throws {
        try withTemporaryFolder { folder in
            let destination = folder + "/web.vdi"
            let file = try DownloadFile(destination: destination, replacing: false)
            try Data("first half".utf8).withUnsafeBytes { try file.write($0) }
            #expect(!FileManager.default.fileExists(atPath: destination))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == [URL(fileURLWithPath: file.temporary).lastPathComponent])
            try file.commit(replacing: false)
            #expect(try String(contentsOfFile: destination, encoding: .utf8) == "first half")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["web.vdi"])

            #expect(throws: CLIError.self) { try DownloadFile(destination: destination, replacing: false) }
            let racing = try DownloadFile(destination: folder + "/other.vdi", replacing: false)
            try Data("theirs".utf8).write(to: URL(fileURLWithPath: folder + "/other.vdi"))
            #expect(throws: CLIError.self) { try racing.commit(replacing: false) }
            racing.discard()
            #expect(try String(contentsOfFile: folder + "/other.vdi", encoding: .utf8) == "theirs")

            let replacing = try DownloadFile(destination: destination, replacing: true)
            try Data("second".utf8).withUnsafeBytes { try replacing.write($0) }
            try replacing.commit(replacing: true)
            #expect(try String(contentsOfFile: destination, encoding: .utf8) == "second")
            let abandoned = try DownloadFile(destination: folder + "/gone.vdi", replacing: false)
            abandoned.discard()
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["other.vdi", "web.vdi"])
        }
    }

    /// Runs `body` with a fresh folder, removed afterwards.
    func withTemporaryFolder(_ body: (String) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "jc-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try body(folder)
    }
}
