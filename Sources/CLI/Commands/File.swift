import ArgumentParser
import Foundation
import JoistAPI

/// `joist file push|pull`: copy files into and out of a running guest through its guest agent.
struct FileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "file", abstract: "Copy files into and out of an instance through its guest agent.",
        subcommands: [Push.self, Pull.self])

    /// `NAME/PATH` split at the first slash: the instance and the absolute path in its guest.
    static func target(_ text: String) throws -> (instance: String, path: String) {
        guard let slash = text.firstIndex(of: "/"), slash != text.startIndex, text.index(after: slash) != text.endIndex else {
            throw ValidationError("name the guest file as INSTANCE/PATH, e.g. web1/etc/motd, not '\(text)'")
        }
        return (String(text[..<slash]), String(text[slash...]))
    }

    /// `/1.0/instances/NAME/files?path=…` with the path percent-encoded.
    static func route(_ instance: String, _ path: String, extra: String = "") -> String {
        "/1.0/instances/\(APIClient.segment(instance))/files?path=\(APIClient.queryValue(path))\(extra)"
    }

    /// `joist file push LOCAL NAME/PATH [--mode 0644]`
    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "push", abstract: "Copy a local file into the guest (replacing PATH once the copy is complete).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The local file.") var source: String
        @Argument(help: "INSTANCE/PATH: the instance and the absolute path in its guest.") var destination: String
        @Option(help: "Octal permissions of the file in the guest.") var mode: String = "0644"

        func validate() throws {
            _ = try FileCommand.target(destination)
            guard (1...4).contains(mode.count), Int(mode, radix: 8) != nil else { throw ValidationError("--mode takes octal permissions such as 0644, not '\(mode)'") }
        }

        func run() async throws {
            let (instance, path) = try FileCommand.target(destination)
            let length = try APIClient.length(of: source)
            let route = global.scoped(FileCommand.route(instance, path, extra: "&mode=\(mode)"))
            let progress = TransferProgress("pushing \(source)", total: length)
            _ = try await global.client().upload(route, file: source, method: .PUT, progress: progress, as: [String: String].self)
            progress.finish()
        }
    }

    /// `joist file pull NAME/PATH LOCAL [--force]`
    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pull", abstract: "Copy a file out of the guest.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "INSTANCE/PATH: the instance and the absolute path in its guest.") var source: String
        @Argument(help: "The local file to write (it appears complete or not at all).") var destination: String
        @Flag(help: "Replace the local file if it exists.") var force = false

        func validate() throws { _ = try FileCommand.target(source) }

        func run() async throws {
            let (instance, path) = try FileCommand.target(source)
            let route = global.scoped(FileCommand.route(instance, path))
            try await global.client().download(route, to: destination, replacing: force) { TransferProgress("pulling \(path)", total: $0) }
        }
    }
}
