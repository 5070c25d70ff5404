import Foundation
import JoistTLS
import Yams

/// Reads and writes the CLI's `config.yaml`.
///
/// It lives in `$JOIST_CONFIG_DIR`, else `$XDG_CONFIG_HOME/joist`, else `~/.config/joist`. It holds
/// tokens, so the directory is created 0700 and the file written 0600, atomically; changes take a
/// lock so that two `joist remote` commands at once do not lose each other's edits.
struct ConfigStore: Sendable {
    /// The directory holding `config.yaml`.
    let directory: String

    /// The configuration file.
    var path: String { self.directory + "/config.yaml" }

    /// The store the environment points at.
    static func located(environment: [String: String] = ProcessInfo.processInfo.environment) -> ConfigStore {
        if let directory = environment["JOIST_CONFIG_DIR"], !directory.isEmpty {
            return ConfigStore(directory: directory)
        }
        if let base = environment["XDG_CONFIG_HOME"], !base.isEmpty {
            return ConfigStore(directory: base + "/joist")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return ConfigStore(directory: home + "/.config/joist")
    }

    /// The configuration; an empty one when the file does not exist yet.
    func load() throws -> RemoteConfiguration {
        guard FileManager.default.fileExists(atPath: self.path) else { return RemoteConfiguration() }
        do {
            let text = try String(contentsOfFile: self.path, encoding: .utf8)
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return RemoteConfiguration() }
            return try YAMLDecoder().decode(RemoteConfiguration.self, from: text)
        } catch {
            throw CLIError("cannot read the configuration \(self.path): \(error)")
        }
    }

    /// Replaces the file with `configuration`.
    func save(_ configuration: RemoteConfiguration) throws {
        do {
            let encoder = YAMLEncoder()
            encoder.options.sortKeys = true
            let text = try encoder.encode(configuration)
            try OwnerOnlyFiles.createDirectory(self.directory, mode: 0o700)
            try OwnerOnlyFiles.write(Array(text.utf8), to: self.path, mode: 0o600)
        } catch {
            throw CLIError("cannot write the configuration \(self.path): \(error)")
        }
    }

    /// Loads, changes and saves the configuration under an exclusive lock; returns what `change` returns.
    @discardableResult
    func update<Result>(_ change: (inout RemoteConfiguration) throws -> Result) throws -> Result {
        try OwnerOnlyFiles.createDirectory(self.directory, mode: 0o700)
        let lockPath = self.directory + "/config.lock"
        let descriptor = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CLIError("cannot lock the configuration \(lockPath): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw CLIError("cannot lock the configuration \(lockPath): \(String(cString: strerror(errno)))")
            }
        }
        var configuration = try self.load()
        let result = try change(&configuration)
        try self.save(configuration)
        return result
    }
}
