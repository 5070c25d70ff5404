import Foundation
import HostKit
public import JoistCore
import Synchronization

/// Puts each guest in a CPU cgroup of its own, under one parent per daemon: `joist/<daemon>/<instance>`
/// in the host's CPU controller.
///
/// Why: the scheduler then shares the CPU between the guests' parent as one entity and every other
/// process on the host, so however many guests are busy, the daemon and whatever talks to it still
/// get CPU promptly; a host full of booting guests keeps answering its API. The parent's weight
/// (`weight`, cgroup v2 scale: 100 is one ordinary process) sets how much the guests together get
/// when the host is contended; it does not limit them when it is not.
///
/// QEMU enters its group before it runs (see `enter`), so its whole start-up is counted there too.
/// Works with cgroup v2 (the `cpu` controller in the unified hierarchy) and with v1's `cpu` hierarchy.
public struct GuestCgroups: Sendable {
    public enum Version: Sendable, Equatable { case v1, v2 }

    public let version: Version
    /// The daemon's group, e.g. `/sys/fs/cgroup/cpu/joist/3f2a9c1e`.
    public let parent: String

    /// Instances whose group waits for its last process to leave before it is removed.
    private let pendingRemovals = PendingRemovals()

    public init(version: Version, parent: String) {
        self.version = version
        self.parent = parent
    }

    /// A short, stable name for the daemon with this state directory (FNV-1a of the path, 8 hex
    /// digits), so daemons with different state directories never share instance groups.
    public static func daemonID(stateDirectory: String) -> String {
        var hash: UInt32 = 0x811c_9dc5
        for byte in stateDirectory.utf8 { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        return Hex.lowercase(withUnsafeBytes(of: hash.bigEndian) { Array($0) })
    }

    /// Guest weights accepted on the command line (cgroup v2's range; 100 is the default of any group).
    public static let weights: ClosedRange<Int> = 1...10_000

    /// The CPU controller's mount point in `/proc/self/mounts`, preferring v2 when it holds `cpu`
    /// (`controllers(path)` reads a v2 mount's `cgroup.controllers`).
    public static func cpuController(mounts: String, controllers: (String) -> String?) -> (path: String, version: Version)? {
        var legacy: String?
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 4 else { continue }
            let path = String(fields[1])
            switch fields[2] {
            case "cgroup2":
                let available = controllers(path + "/cgroup.controllers")?.split(whereSeparator: \.isWhitespace) ?? []
                if available.contains("cpu") { return (path, .v2) }
            case "cgroup":
                if fields[3].split(separator: ",").contains("cpu") { legacy = legacy ?? path }
            default:
                continue
            }
        }
        return legacy.map { ($0, .v1) }
    }

    /// Finds the host's CPU controller and makes the daemon's group `joist/<daemonID>` with `weight`.
    /// Nil when there is none the daemon may write (not root, no `cpu` controller, a read-only mount).
    public static func make(daemonID: String, weight: Int) throws(JoistError) -> GuestCgroups? {
        guard weights.contains(weight) else {
            throw .invalidArgument("guest CPU weight \(weight) is out of range (\(weights.lowerBound)…\(weights.upperBound))")
        }
        let text = KernelFile.text("/proc/self/mounts") ?? ""
        guard let (root, version) = cpuController(mounts: text, controllers: { KernelFile.text($0) })
        else { return nil }
        let groups = GuestCgroups(version: version, parent: root + "/joist/" + daemonID)
        do {
            try groups.create(root: root, weight: weight)
        } catch {
            return nil
        }
        return groups
    }

    /// Makes `root/joist` (with `weight`) and the daemon's group below it; in v2 each level also
    /// hands the `cpu` controller down to its children.
    func create(root: String, weight: Int) throws {
        let top = root + "/joist"
        for group in [top, parent] where mkdir(group, 0o755) != 0 && errno != EEXIST {
            throw POSIXError.current()
        }
        switch version {
        case .v1:
            try Self.write(String(max(2, weight * 1024 / 100)), to: top + "/cpu.shares")
        case .v2:
            try Self.write("+cpu", to: root + "/cgroup.subtree_control")
            try Self.write(String(weight), to: top + "/cpu.weight")
            try Self.write("+cpu", to: top + "/cgroup.subtree_control")
            try Self.write("+cpu", to: parent + "/cgroup.subtree_control")
        }
    }

    /// One instance's group.
    public func group(for instance: String) -> String { parent + "/" + instance }

    /// Makes the instance's group and returns the file a process writes its pid to in order to join it.
    /// A removal still pending from the instance's last run is called off first, so it cannot take
    /// the group away between now and the new process joining it.
    public func prepare(instance: String) throws -> String {
        let group = group(for: instance)
        try pendingRemovals.names.withLock { pending in
            pending.remove(instance)
            if mkdir(group, 0o755) != 0 && errno != EEXIST { throw POSIXError.current() }
        }
        return group + "/cgroup.procs"
    }

    /// `argv` run by a shell that first moves itself into the group of `procs`, then `exec`s: the
    /// process is in its group before the program's first instruction. The paths travel as
    /// arguments, never inside the script.
    public static func enter(_ procs: String, then argv: [String]) -> [String] {
        ["/bin/sh", "-c", #"echo $$ > "$0" && exec "$@""#, procs] + argv
    }

    /// Removes an instance's group if no process is in it; returns whether the group is gone.
    @discardableResult
    public func remove(instance: String) -> Bool {
        rmdir(group(for: instance)) == 0 || errno == ENOENT
    }

    /// Removes an instance's group once its last process has exited. QEMU closes its QMP socket a
    /// moment before it leaves the group, so this keeps trying for a few seconds; a group that gets
    /// a process again meanwhile (a quick restart) simply stays.
    public func removeWhenEmpty(instance: String) {
        let pending = pendingRemovals
        pending.names.withLock { _ = $0.insert(instance) }
        Task.detached {
            for _ in 0..<250 {
                let done = pending.names.withLock { names in
                    guard names.contains(instance) else { return true }
                    guard remove(instance: instance) else { return false }
                    names.remove(instance)
                    return true
                }
                if done { return }
                try? await Task.sleep(for: .milliseconds(20))
            }
            pending.names.withLock { _ = $0.remove(instance) }
        }
    }

    /// Removes every empty instance group the daemon left behind (groups with processes stay).
    public func sweep() {
        let children = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        for child in children {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: parent + "/" + child, isDirectory: &isDirectory), isDirectory.boolValue {
                rmdir(parent + "/" + child)
            }
        }
    }

    /// Removes the daemon's group if no guest is left in it (on shutdown).
    public func removeParentIfEmpty() {
        sweep()
        rmdir(parent)
    }

    /// The pids in an instance's group.
    public func processes(instance: String) -> [Int32] {
        let text = (try? String(contentsOfFile: group(for: instance) + "/cgroup.procs", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { Int32($0) }
    }

    private static func write(_ text: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw POSIXError.current() }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        guard Foundation.write(descriptor, bytes, bytes.count) == bytes.count else {
            throw POSIXError.current()
        }
    }
}

/// The instance names `GuestCgroups.removeWhenEmpty` is still working on.
private final class PendingRemovals: Sendable {
    let names = Mutex<Set<String>>([])
}
