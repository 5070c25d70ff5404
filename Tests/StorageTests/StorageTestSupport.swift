import Foundation
import HostKit
import JoistCore
import Storage
import Testing

/// Runs `body` with a new empty folder under the temporary directory, removed afterwards.
func withScratchFolder<T>(_ body: (String) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory.appending(path: "joist-storage-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try await body(folder)
}

/// Host tools the tests drive directly.
enum Tool {
    /// Runs `name` (found in the standard places) and returns its stdout; a failure fails the test.
    @discardableResult
    static func run(_ name: String, _ arguments: [String]) async throws -> String {
        let executable = try #require(HostCommand.locate(name), "\(name) is not installed (scripts/install-deps)")
        return try await HostCommand(executable, arguments).check(name).stdout
    }

    /// Whether `qemu-io` reads `pattern` in every byte of `length` bytes at `offset`.
    static func reads(_ path: String, format: DiskFormat, pattern: UInt8, offset: UInt64 = 0, length: UInt64 = 1 << 20)
        async throws -> Bool
    {
        let executable = try #require(HostCommand.locate("qemu-io"), "qemu-io is not installed (scripts/install-deps)")
        let command = "read -P \(pattern) \(offset) \(length)"
        let output = try await HostCommand(executable, ["-f", format.rawValue, "-c", command, path]).run()
        return output.succeeded && !output.stdout.contains("Pattern verification failed")
    }

    /// Writes `pattern` into `length` bytes at `offset` as a guest would.
    static func write(_ path: String, format: DiskFormat, pattern: UInt8, offset: UInt64 = 0, length: UInt64 = 1 << 20)
        async throws
    {
        try await run("qemu-io", ["-f", format.rawValue, "-c", "write -P \(pattern) \(offset) \(length)", path])
    }
}

/// A btrfs file system in a loop file, mounted in `folder/mnt` until `unmount`.
struct BtrfsMount {
    let mountPoint: String

    /// Makes and mounts it; throws (so the test fails, naming why) when the host cannot.
    static func make(in folder: String) async throws -> BtrfsMount {
        let image = folder + "/btrfs.img"
        let mountPoint = folder + "/mnt"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try await Tool.run("truncate", ["-s", "1G", image])
        try await Tool.run("mkfs.btrfs", ["-q", image])
        try await Tool.run("mount", ["-o", "loop", image, mountPoint])
        return BtrfsMount(mountPoint: mountPoint)
    }

    /// Unmounts (the loop device goes with it: `mount -o loop` sets autoclear).
    ///
    /// Tries again for a few seconds while the mount is busy: a child that another test spawned at
    /// the wrong moment can briefly hold a copy of a descriptor opened in here.
    func unmount() async throws {
        let umount = try #require(HostCommand.locate("umount"), "umount is not installed")
        for _ in 0..<20 {
            if try await HostCommand(umount, [mountPoint]).run().succeeded { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        try await Tool.run("umount", [mountPoint])
    }
}

/// Where a pool under test lives and which driver keeps it.
enum PoolKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// The dir driver on the temporary directory's file system (no reflinks on ext4).
    case dir
    /// The dir driver on btrfs: full clones are reflinks.
    case dirOnBtrfs
    /// The btrfs driver on a loop-mounted btrfs.
    case btrfs

    var testDescription: String {
        switch self {
        case .dir: "dir"
        case .dirOnBtrfs: "dir on btrfs"
        case .btrfs: "btrfs"
        }
    }

    var driver: StorageDriverKind { self == .btrfs ? .btrfs : .dir }
    var needsBtrfs: Bool { self != .dir }

    /// What a linked clone of a qcow2 volume is with this driver.
    var linkedCloneKind: CloneKind { self == .btrfs ? .independent : .linked }

    /// Runs `body` with a prepared, empty pool; removes everything afterwards (unmounting btrfs).
    func withPool(_ body: (any StorageBackend) async throws -> Void) async throws {
        try await withScratchFolder { scratch in
            let mount = needsBtrfs ? try await BtrfsMount.make(in: scratch) : nil
            let base = mount?.mountPoint ?? scratch
            let backend = StorageDrivers.backend(driver, root: base + "/pool")
            do {
                try await backend.prepare()
                try await body(backend)
            } catch {
                try await mount?.unmount()
                throw error
            }
            try await mount?.unmount()
        }
    }
}

/// A volume handle in project `default`, for tests.
func volume(_ name: String, _ format: DiskFormat = .qcow2, project: String = "default") throws -> VolumeHandle {
    try VolumeHandle(project: project, name: name, format: format)
}

let mebibyte: UInt64 = 1 << 20
