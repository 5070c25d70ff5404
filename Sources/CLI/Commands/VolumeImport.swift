import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

extension VolumeCommand {
    /// `joist volume import POOL FILE [--name NAME] [--format qcow2|raw] [--source-format FORMAT]`
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Make a volume from an image file: qcow2, raw, vmdk (VMware), vdi (VirtualBox), vhdx (Hyper-V) or vpc (VHD).",
            discussion: """
                The file's format is detected (a fixed VHD, which reads as raw, by its footer); --source-format says it \
                instead. A local joistd reads FILE in place, as fast as qemu-img converting it; a remote one is sent the \
                file. Ctrl-C (or `joist operation cancel`) stops the import and leaves no volume behind.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Storage pool.") var pool: String
        @Argument(help: "The image file.") var file: String
        @Option(help: "The new volume's name (default: the file's name without its extension).") var name: String?
        @Option(help: "The volume's format: qcow2 (the default) or raw.") var format: DiskFormat?
        @Option(help: "The file's format: qcow2, raw, vmdk, vdi, vhdx or vpc (default: detected).") var sourceFormat: VolumeFileFormat?
        @Flag(help: "Send the file's bytes through the API even to a local joistd (one that cannot see this file system).")
        var stream = false
        @OptionGroup var wait: WaitOptions

        func run() async throws {
            let client = global.client()
            let volume = VolumeReference(pool: pool, name: try name ?? Self.defaultName(for: file))
            guard wait.shouldWait else {
                print(try await start(volume, client, interrupts: nil).id)
                return
            }
            let done = try await InterruptCancellation.during(client) { interrupts in
                try await interrupts.follow(try await start(volume, client, interrupts: interrupts))
            }
            let made = [done.result?["format"], done.result?["size"]].compactMap { $0 }.joined(separator: ", ")
            print("Imported \(file) as volume \(volume)\(made.isEmpty ? "" : " (\(made))")")
        }

        /// Sends the import (the file's path to a local joistd, else its bytes) and returns its operation.
        private func start(_ volume: VolumeReference, _ client: APIClient, interrupts: InterruptCancellation?) async throws -> JoistAPI.Operation {
            let path = "/1.0/storage-pools/\(APIClient.segment(volume.pool))/volumes/\(APIClient.segment(volume.name))/import"
            if case .unixSocket = try global.endpoint(), !stream {
                let request = StorageVolumeImport(path: LocalPath.absolute(file), sourceFormat: sourceFormat, format: format)
                return try await client.call(.POST, global.scoped(path), body: request, as: JoistAPI.Operation.self)
            }
            return try await upload(client, to: path, interrupts: interrupts)
        }

        /// Sends the file as the request body, with a progress line; with `interrupts`, Ctrl-C stops the upload.
        private func upload(_ client: APIClient, to path: String, interrupts: InterruptCancellation?) async throws -> JoistAPI.Operation {
            var query = [sourceFormat.map { "sourceFormat=\($0.rawValue)" }, format.map { "format=\($0.rawValue)" }].compactMap { $0 }
            if let project = global.projectName { query.append("project=\(APIClient.queryValue(project))") }
            let target = path + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
            let progress = TransferProgress("Uploading \(URL(fileURLWithPath: file).lastPathComponent)", total: try APIClient.length(of: file))
            let file = self.file
            defer { progress.finish() }
            let send = { @Sendable in try await client.upload(target, file: file, progress: progress, as: JoistAPI.Operation.self) }
            guard let interrupts else { return try await send() }
            return try await interrupts.transfer(send)
        }

        /// The file's name without its extension, when that is a valid volume name.
        static func defaultName(for file: String) throws -> String {
            let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            do {
                return try ResourceName.validate(name, kind: "volume")
            } catch {
                throw CLIError("cannot name the volume after \(file) (\(error.message)); pass --name")
            }
        }
    }
}

/// Paths the CLI sends to a joistd on the same host, which does not share the CLI's working folder.
enum LocalPath {
    /// `path` made absolute against the current folder, with `.` and `..` resolved.
    static func absolute(_ path: String) -> String {
        let base = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        return URL(fileURLWithPath: path, relativeTo: base).standardizedFileURL.path
    }
}

extension VolumeFileFormat: ExpressibleByArgument {}
