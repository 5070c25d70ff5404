import Foundation
import HostKit
import JoistCore

/// Releases everything a build made, from its work folder alone: unmounts whatever is mounted inside
/// it (deepest first; debootstrap mounts /proc and /sys in its target), detaches loop devices whose
/// backing file is inside it, then removes it without crossing into any file system still mounted.
///
/// It works from what the kernel reports rather than from what the build remembers, so it also
/// settles a build a crashed daemon left behind.
public struct BuildCleanup: Sendable {
    var tools: BuildTools

    public init(tools: BuildTools = BuildTools()) {
        self.tools = tools
    }

    /// Releases and removes `folder`; throws when something under it could not be released (the
    /// folder is then left, so nothing mounted is ever deleted through).
    public func release(_ folder: String) async throws {
        // Deepest first, in passes until none is left: a mount stacked on another, or one a parent's
        // lazy unmount already took away, fails its own unmount and is settled by the next pass. The
        // last refusal of each mount is kept to say why one stayed.
        var refusals: [String: String] = [:]
        for _ in 0..<5 {
            let mounted = Self.mountPoints(under: folder, mountInfo: Self.mountInfo())
            if mounted.isEmpty { break }
            for point in mounted {
                do { try await tools.run(["umount", "--lazy", point]) } catch { refusals[point] = "\(error)" }
            }
        }
        for device in Self.loopDevices(backedBy: folder) {
            try await tools.run(["losetup", "--detach", device])
        }
        let left = Self.mountPoints(under: folder, mountInfo: Self.mountInfo())
        guard left.isEmpty else {
            let why = left.map { point in refusals[point].map { "\(point) (\($0))" } ?? point }
            throw JoistError.hostFailure("cannot remove the build folder \(folder): \(why.joined(separator: ", ")) still mounted")
        }
        if FileManager.default.fileExists(atPath: folder) {
            try await tools.run(["rm", "-rf", "--one-file-system", folder])
        }
    }

    private static func mountInfo() -> String {
        KernelFile.text("/proc/self/mountinfo") ?? ""
    }

    /// The mount points at or under `folder` in `/proc/self/mountinfo` text, deepest first.
    static func mountPoints(under folder: String, mountInfo: String) -> [String] {
        let points = mountInfo.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            return unescape(String(fields[4]))
        }
        return points.filter { $0 == folder || $0.hasPrefix(folder + "/") }.sorted { $0.count > $1.count }
    }

    /// mountinfo escapes space, tab, newline and backslash as octal (`\040`).
    static func unescape(_ field: String) -> String {
        var result = ""
        var rest = Substring(field)
        while let slash = rest.firstIndex(of: "\\") {
            result += rest[..<slash]
            let code = rest[rest.index(after: slash)...].prefix(3)
            if code.count == 3, let value = UInt8(code, radix: 8) {
                result.append(Character(UnicodeScalar(value)))
                rest = rest[rest.index(slash, offsetBy: 4)...]
            } else {
                result.append("\\")
                rest = rest[rest.index(after: slash)...]
            }
        }
        return result + rest
    }

    /// `/dev/loopN` devices whose backing file (`/sys/block/loopN/loop/backing_file`) is under `folder`.
    static func loopDevices(backedBy folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/block")) ?? []
        return names.filter { $0.hasPrefix("loop") }.sorted().compactMap { name in
            guard let backing = KernelFile.text("/sys/block/\(name)/loop/backing_file") else { return nil }
            let path = backing.trimmingCharacters(in: .newlines)
            let file = path.hasSuffix(" (deleted)") ? String(path.dropLast(" (deleted)".count)) : path
            return file.hasPrefix(folder + "/") ? "/dev/" + name : nil
        }
    }
}
