import Foundation

/// The test guest: a Debian cloud kernel and a busybox initramfs that prints `JOIST-GUEST-READY` on
/// its serial console and then runs a shell there. Built once by `scripts/test-guest` into a cache.
public struct TestGuest: Sendable {
    /// What the guest prints on the serial console when it is ready for input.
    public static let readyMarker = "JOIST-GUEST-READY"
    /// The kernel command line the guest is made for.
    public static let cmdline = "console=ttyS0 quiet"

    public let kernel: String
    public let initrd: String

    /// Builds the guest if needed and returns its files.
    public static func locate() async throws -> TestGuest {
        let script = RepositoryPaths.root + "/scripts/test-guest"
        let result = try await CommandRunner.run("/bin/bash", [script])
        guard result.succeeded else { throw TestSetupError("scripts/test-guest failed: \(result)") }
        var values: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        guard let kernel = values["kernel"], let initrd = values["initrd"] else {
            throw TestSetupError("scripts/test-guest printed no kernel= and initrd= lines: \(result.stdout)")
        }
        return TestGuest(kernel: kernel, initrd: initrd)
    }
}

/// Where the repository and its built binaries are.
public enum RepositoryPaths {
    /// The package root, found from this source file's location.
    public static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// The directory holding the built `joist` and `joistd` (`JOIST_BIN_DIR`, or `.build/debug`).
    public static var binaries: String {
        ProcessInfo.processInfo.environment["JOIST_BIN_DIR"] ?? root + "/.build/debug"
    }
}

/// A test could not set up what it needs.
public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
