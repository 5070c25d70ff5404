import Foundation
import HostKit
import JoistCore

/// Runs the host tools a build needs, found in `HostCommand.searchPath`: each must exit with status
/// 0, else the build fails quoting its stderr.
public struct BuildTools: Sendable {
    /// The host tools a build runs, for a clear error before it starts.
    public static let required = [
        "debootstrap", "chroot", "find", "truncate", "sfdisk", "cp", "mkfs.ext4", "grub-mkimage", "dd", "qemu-img", "umount", "losetup", "rm",
    ]

    public init() {}

    /// Names the required tools the host lacks, with the Debian packages that have them.
    public static func checkInstalled() throws(JoistError) {
        let missing = required.filter { HostCommand.locate($0) == nil }
        guard missing.isEmpty else {
            throw .invalidState(
                "cannot build images: this host lacks \(missing.joined(separator: ", ")) "
                    + "(apt-get install debootstrap fdisk grub-pc-bin grub-common e2fsprogs qemu-utils)")
        }
        var isDirectory = false
        guard HostFolder.exists(Grub.bootImage, isDirectory: &isDirectory), !isDirectory else {
            throw .invalidState("cannot build images: GRUB's BIOS modules (\(Grub.modules)) are missing (apt-get install grub-pc-bin)")
        }
    }

    /// Runs `argv` (a tool's name, then its arguments), with `input` as its stdin; returns its stdout.
    @discardableResult
    public func run(_ argv: [String], input: String? = nil) async throws -> String {
        guard let name = argv.first, let executable = HostCommand.locate(name) else {
            throw JoistError.invalidState("cannot build images: \(argv.first ?? "a tool") is not installed")
        }
        var command = HostCommand(executable, Array(argv.dropFirst()), terminationGrace: .seconds(10))
        command.input = input
        let output = try await command.run()
        guard !output.succeeded else { return output.stdout }
        throw JoistError.hostFailure("\(name) failed: \(Self.failureDetail(output))")
    }

    /// The end of stderr, or of stdout for tools that say why there (debootstrap's `E:` lines).
    static func failureDetail(_ output: HostCommand.Output) -> String {
        let stderr = output.stderr.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }
        guard stderr.isEmpty else { return output.failureDetail }
        let stdout = output.stdout.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !stdout.isEmpty else { return "exit status \(output.status)" }
        return stdout.suffix(3).joined(separator: "; ")
    }
}

/// A folder check without Foundation's `ObjCBool` dance.
enum HostFolder {
    static func exists(_ path: String, isDirectory: inout Bool) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        isDirectory = info.st_mode & S_IFMT == S_IFDIR
        return true
    }
}
