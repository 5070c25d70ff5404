import Foundation
import HostKit
import JoistCore

/// Starts a daemonized QEMU and reports its pid, or why it would not start.
///
/// With `-daemonize` the process we spawn forks the real QEMU and exits once the guest is set up, so
/// waiting for it is bounded and its exit status tells whether QEMU started. QEMU's stderr goes to a
/// file (not a pipe) because the daemonized child inherits it and must never block on a full pipe.
/// QEMU's `-daemonize` also calls `setsid`, so it leaves the daemon's session and survives it.
public struct QEMULauncher: Sendable {
    /// How many bytes of QEMU's stderr an error carries.
    static let stderrTailBytes = 2048

    /// Where guests run in the host's CPU controller; nil leaves them in the daemon's own group.
    public let cgroups: GuestCgroups?

    public init(cgroups: GuestCgroups? = nil) {
        self.cgroups = cgroups
    }

    /// Spawns `argv`, waits for the daemonizing parent, and returns the pid QEMU wrote to `paths.pidFile`.
    public func launch(argv: [String], paths: RuntimePaths) async throws -> Int32 {
        guard let executable = argv.first else { throw JoistError.hostFailure("empty QEMU command line") }
        try? FileManager.default.removeItem(atPath: paths.qemuLog)
        try? FileManager.default.removeItem(atPath: paths.pidFile)
        var command = [try Self.resolve(executable)] + argv.dropFirst()
        if let cgroups {
            do {
                command = GuestCgroups.enter(try cgroups.prepare(instance: paths.instance), then: command)
            } catch {
                throw JoistError.hostFailure("cannot make the guest's CPU group \(cgroups.group(for: paths.instance)): \(error)")
            }
        }
        let status: Int32
        do {
            status = try await ProcessSpawner.run(command, outputPath: paths.qemuLog)
        } catch let error as JoistError {
            throw error
        } catch {
            throw JoistError.hostFailure("cannot run \(executable): \(error)")
        }
        guard status == 0 else {
            throw JoistError.hostFailure("QEMU failed to start (exit status \(status)): \(Self.tail(of: paths.qemuLog))")
        }
        guard let text = try? String(contentsOfFile: paths.pidFile, encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            throw JoistError.hostFailure("QEMU started but wrote no pid file at \(paths.pidFile)")
        }
        return pid
    }

    /// The end of QEMU's stderr, trimmed, for error messages.
    public static func tail(of path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return "(no output)" }
        let text = String(decoding: data.suffix(stderrTailBytes), as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Finds `name` on PATH unless it is already a path.
    public static func resolve(_ name: String) throws -> String {
        if name.contains("/") { return name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw JoistError.hostFailure("\(name) not found on PATH; install it (scripts/install-deps)")
    }
}

/// Starts a VM process from its argv and returns its pid; the seam that lets the daemon be tested
/// without QEMU.
public protocol VMLauncher: Sendable {
    func launch(argv: [String], paths: RuntimePaths) async throws -> Int32
    /// Releases what `launch` set up for the VM (its CPU group), once its process has exited.
    func released(paths: RuntimePaths)
}

extension VMLauncher {
    public func released(paths: RuntimePaths) {}
}

extension QEMULauncher: VMLauncher {
    public func released(paths: RuntimePaths) {
        cgroups?.removeWhenEmpty(instance: paths.instance)
    }
}
