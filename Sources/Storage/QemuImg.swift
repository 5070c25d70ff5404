import Foundation
public import HostKit
import JoistCore

/// A typed client for `qemu-img`: one method per subcommand Joist uses, arguments built from values.
///
/// Image formats are always passed explicitly (`-f`), never probed: a raw disk whose guest wrote a
/// qcow2 header must not be opened as qcow2. Failures become `hostFailure` errors that quote the end
/// of qemu-img's stderr ("qemu-img resize failed: qemu-img: Could not open …").
public struct QemuImg: Sendable {
    /// The qemu-img executable, or nil when it is not installed.
    public let executable: String?

    public init(executable: String? = HostCommand.locate("qemu-img")) {
        self.executable = executable
    }

    /// What a backing file of a new overlay is: its path as the overlay records it (relative paths
    /// are read from the overlay's folder) and its format.
    public struct Backing: Sendable, Equatable {
        public var path: String
        public var format: ImageFileFormat

        public init(path: String, format: ImageFileFormat) {
            self.path = path
            self.format = format
        }
    }

    /// What an image needs in another format (`qemu-img measure`), in bytes.
    public struct Measurement: Codable, Sendable, Equatable {
        /// The size of a converted copy holding the data written so far.
        public var required: UInt64
        /// The size once every block is written.
        public var fullyAllocated: UInt64

        enum CodingKeys: String, CodingKey {
            case required
            case fullyAllocated = "fully-allocated"
        }
    }

    /// Describes an image. Maps to `qemu-img info --output=json -U`: `-U` reads an image a running
    /// guest has open rather than failing on its lock.
    public func info(_ path: String, format: ImageFileFormat) async throws -> ImageInfo {
        let output = try await command(["info", "--output=json", "-U", "-f", format.rawValue, path], outputLimit: 1 << 20)
            .check("qemu-img info")
        do {
            return try JSONDecoder().decode(ImageInfo.self, from: Data(output.stdout.utf8))
        } catch {
            throw JoistError.hostFailure("qemu-img info printed what Joist cannot read for \(path): \(error)")
        }
    }

    /// Creates an image of `size` bytes; with `backing`, an overlay that reads `backing` until written.
    /// Maps to `qemu-img create`.
    public func create(_ path: String, format: ImageFileFormat, size: UInt64, backing: Backing? = nil) async throws {
        var arguments = ["create", "-q", "-f", format.rawValue] + Self.options(format.creationOptions)
        if let backing {
            arguments += ["-b", backing.path, "-F", backing.format.rawValue]
        }
        try await command(arguments + [path, String(size)]).check("qemu-img create")
    }

    /// Changes an image's virtual size; qemu-img refuses to shrink without `shrink`.
    /// Maps to `qemu-img resize`.
    public func resize(_ path: String, format: ImageFileFormat, size: UInt64, shrink: Bool) async throws {
        let arguments = ["resize", "-q", "-f", format.rawValue] + (shrink ? ["--shrink"] : []) + [path, String(size)]
        try await command(arguments).check("qemu-img resize")
    }

    /// How much space `path` needs converted to `target`. Maps to `qemu-img measure --output=json`.
    public func measure(_ path: String, format: ImageFileFormat, target: ImageFileFormat) async throws -> Measurement {
        let arguments = ["measure", "--output=json", "-U", "-f", format.rawValue, "-O", target.rawValue, path]
        let output = try await command(arguments).check("qemu-img measure")
        do {
            return try JSONDecoder().decode(Measurement.self, from: Data(output.stdout.utf8))
        } catch {
            throw JoistError.hostFailure("qemu-img measure printed what Joist cannot read for \(path): \(error)")
        }
    }

    /// Whether two images hold the same data as a guest reads it (whatever their formats; unwritten
    /// space reads as zeroes). Maps to `qemu-img compare`, whose status 1 means "they differ".
    public func compare(_ first: String, format: ImageFileFormat, _ second: String, format secondFormat: ImageFileFormat)
        async throws -> Bool
    {
        let arguments = ["compare", "-q", "-U", "-f", format.rawValue, "-F", secondFormat.rawValue, first, second]
        let output = try await command(arguments).run()
        if output.status == 1 { return false }
        try output.check("qemu-img compare")
        return true
    }

    /// A command running qemu-img with `arguments`.
    func command(_ arguments: [String], outputLimit: Int = 64 << 10) throws(JoistError) -> HostCommand {
        guard let executable else {
            throw JoistError(.unsupported, "qemu-img is not installed: install qemu-utils (scripts/install-deps)")
        }
        return HostCommand(executable, arguments, outputLimit: outputLimit)
    }

    /// `-o a,b` for a list of options, nothing for none.
    static func options(_ options: [String]) -> [String] {
        options.isEmpty ? [] : ["-o", options.joined(separator: ",")]
    }
}
