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
        // lazy unmount already took away, fails its own unmount and is settled by the next pass. A
        // mount another process holds through propagation may take a moment to go, so later passes
        // wait a little first (up to about 6 s in all); the last refusal of each mount is kept to say
        // why one stayed, and so is the count of unmounts that succeeded yet left it there.
        var refusals: [String: String] = [:]
        var unmounted: [String: Int] = [:]
        for pass in 0..<40 {
            let mounted = Self.mountPoints(under: folder, mountInfo: Self.mountInfo())
            if mounted.isEmpty { break }
            if pass >= 2 { try? await Task.sleep(for: .milliseconds(pass < 20 ? 100 : 200)) }
            for point in mounted {
                do {
                    try await tools.run(["umount", "--lazy", point])
                    unmounted[point, default: 0] += 1
                } catch {
                    refusals[point] = "\(error)"
                }
            }
        }
        for device in Self.loopDevices(backedBy: folder) {
            try await tools.run(["losetup", "--detach", device])
        }
        let mountInfo = Self.mountInfo()
        let left = Self.mountPoints(under: folder, mountInfo: mountInfo)
        guard left.isEmpty else {
            let why = left.map { point in
                var reasons: [String] = []
                if let refusal = refusals[point] { reasons.append(refusal) }
                if let count = unmounted[point] { reasons.append("unmounted \(count) time(s), yet still there") }
                return reasons.isEmpty ? point : "\(point) (\(reasons.joined(separator: "; ")))"
            }
            let lines = mountInfo.split(separator: "\n").filter { line in left.contains { line.contains(" \($0) ") } }
            throw JoistError.hostFailure(
                "cannot remove the build folder \(folder): \(why.joined(separator: ", ")) still mounted; mountinfo: \(lines.joined(separator: " | "))")
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
