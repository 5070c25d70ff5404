import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

extension VolumeCommand {
    /// `joist volume export POOL NAME FILE [--format qcow2|raw|vmdk|vdi|vhdx|vpc] [--force]`
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write a volume's data to an image file: qcow2, raw, vmdk, vdi, vhdx or vpc.",
            discussion: """
                The format comes from --format or FILE's extension (.vhd is vpc). A local joistd writes FILE itself; a \
                remote one converts the volume and the CLI downloads the file. FILE appears complete or not at all: \
                Ctrl-C (or `joist operation cancel`) leaves nothing behind. An existing FILE is replaced only with --force.
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var volume: Name
        @Argument(help: "The file to write.") var file: String
        @Option(help: "The file's format: qcow2, raw, vmdk, vdi, vhdx or vpc (default: from FILE's extension).") var format: VolumeFileFormat?
        @Flag(help: "Replace FILE if it exists.") var force = false
        @Flag(help: "Download the file through the API even from a local joistd (one that cannot see this file system).")
        var stream = false

        func run() async throws {
            let client = global.client()
            let destination = LocalPath.absolute(file)
            let format = try self.format ?? Self.format(of: destination)
            if !force && FileManager.default.fileExists(atPath: destination) {
                throw CLIError("\(file) exists already; pass --force to replace it")
            }
            let local: Bool
            if case .unixSocket = try global.endpoint() { local = !stream } else { local = false }
            let request = StorageVolumeExport(format: format, path: local ? destination : nil, force: local && force ? true : nil)
            try await InterruptCancellation.during(client) { interrupts in
                let operation = try await client.call(.POST, global.scoped(volume.path + "/export"), body: request, as: JoistAPI.Operation.self)
                let done = try await interrupts.follow(operation)
                if !local {
                    guard let download = done.result?[VolumeTransferResult.download] else {
                        throw CLIError("joistd finished the export but named no download")
                    }
                    try await fetch(client, download, to: destination, interrupts: interrupts)
                }
            }
            print("Exported volume \(volume.reference) to \(file) (\(format.rawValue))")
        }

        /// Downloads the export, then has joistd discard it (whether the download worked or not).
        private func fetch(_ client: APIClient, _ download: String, to destination: String, interrupts: InterruptCancellation) async throws {
            let label = "Downloading \(URL(fileURLWithPath: destination).lastPathComponent)"
            let replacing = force
            let scoped = global.scoped(download)
            do {
                try await interrupts.transfer {
                    try await client.download(scoped, to: destination, replacing: replacing) { TransferProgress(label, total: $0) }
                }
            } catch {
                _ = try? await client.send(.DELETE, scoped)
                throw error
            }
            _ = try? await client.send(.DELETE, scoped)
        }

        static func format(of file: String) throws -> VolumeFileFormat {
            let fileExtension = URL(fileURLWithPath: file).pathExtension
            guard let format = VolumeFileFormat(fileExtension: fileExtension) else {
                throw CLIError("cannot tell the format from the name \(file); pass --format qcow2, raw, vmdk, vdi, vhdx or vpc")
            }
            return format
        }
    }
}
