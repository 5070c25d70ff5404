import ArgumentParser
import Foundation
import JoistAPI
import NIOCore

extension ImageCommand {
    /// `joist image import FILE|URL [--alias NAME] [--upload] [--async]`
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import a disk image or an ISO from a file or an http(s) URL.",
            discussion: """
                The format is detected from the contents: qcow2 and raw images are kept as they are, VMware \
                (vmdk), VirtualBox (vdi) and Hyper-V (vhdx, vpc) images are converted to qcow2, and ISO 9660 \
                files are kept as ISO images, to attach as CD-ROMs. Importing the same bytes again stores \
                nothing (the alias is added to the existing image). A URL is downloaded by joistd itself. \
                A file is uploaded, except over the local Unix socket, where joistd reads it in place. \
                Ctrl-C cancels the import, leaving nothing behind.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "A file, or an http:// or https:// URL.") var source: String
        @Option(help: "A name for the image (also when the same bytes were imported before).") var alias: String?
        @Flag(help: "Send the file's bytes even over the Unix socket (for a joistd that cannot see this file).") var upload = false
        @OptionGroup var wait: WaitOptions

        /// Where the image comes from, and so how it travels.
        enum Origin {
            /// An http(s) URL joistd downloads.
            case url(String)
            /// A file joistd reads in place (the Unix socket).
            case path(String)
            /// A file whose bytes are uploaded.
            case upload(String)
        }

        func run() async throws {
            let client = global.client()
            let origin = try origin(client)
            guard wait.shouldWait else {
                print(try await start(origin, client, interrupts: nil).id)
                return
            }
            let done = try await InterruptCancellation.during(client) { interrupts in
                try await interrupts.follow(try await start(origin, client, interrupts: interrupts))
            }
            print(Self.summary(done, alias: alias))
        }

        private func origin(_ client: APIClient) throws -> Origin {
            let lowered = source.lowercased()
            if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") { return .url(source) }
            let path = URL(fileURLWithPath: Paths.absolute(source)).standardizedFileURL.path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw CLIError("cannot import \(source): no such file")
            }
            if case .unixSocket = try client.endpoint, !upload { return .path(path) }
            return .upload(path)
        }

        /// Sends the import and returns its operation; with `interrupts`, Ctrl-C stops an upload.
        private func start(_ origin: Origin, _ client: APIClient, interrupts: InterruptCancellation?) async throws -> JoistAPI.Operation {
            switch origin {
            case .url(let url):
                return try await client.call(.POST, "/1.0/images", body: ImageImport(url: url, alias: alias), as: JoistAPI.Operation.self)
            case .path(let path):
                return try await client.call(.POST, "/1.0/images", body: ImageImport(path: path, alias: alias), as: JoistAPI.Operation.self)
            case .upload(let path):
                let progress = TransferProgress("Uploading \(URL(fileURLWithPath: path).lastPathComponent)", total: try APIClient.length(of: path))
                defer { progress.finish() }
                let target = "/1.0/images" + (alias.map { "?alias=" + APIClient.queryValue($0) } ?? "")
                let send = { @Sendable in try await client.upload(target, file: path, progress: progress, as: JoistAPI.Operation.self) }
                guard let interrupts else { return try await send() }
                return try await interrupts.transfer(send)
            }
        }

        /// `Imported image 3f2a9c1e0b4d (debian-12)`, or what a repeated import did.
        static func summary(_ operation: JoistAPI.Operation, alias: String?) -> String {
            let fingerprint = String((operation.result?["fingerprint"] ?? "").prefix(12))
            let aliases = (operation.result?["aliases"] ?? "").split(separator: ",").joined(separator: ", ")
            let names = aliases.isEmpty ? "" : " (\(aliases))"
            guard operation.result?["existed"] == "true" else { return "Imported image \(fingerprint)\(names)" }
            return "Image \(fingerprint)\(names) holds these bytes already: nothing stored" + (alias.map { "; alias \($0) added" } ?? "")
        }
    }
}
