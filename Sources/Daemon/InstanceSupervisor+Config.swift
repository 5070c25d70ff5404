import Foundation
import JoistCore
import QEMUDriver

extension InstanceSupervisor {
    /// Applies `key=value` settings to a stopped instance after validating the result.
    public func updateConfig(_ settings: [(key: String, value: String)]) async throws {
        try await operations.withLock { try await self.performUpdate(settings) }
    }

    private func performUpdate(_ settings: [(key: String, value: String)]) async throws {
        try ensureExists()
        guard lifecycle.state == .stopped else {
            throw JoistError.invalidState("instance \(name) must be stopped to change its configuration (it is \(lifecycle.state.rawValue))")
        }
        let updated = try record.spec.applying(settings)
        try updated.validate(host: env.host, fileExists: { FileManager.default.fileExists(atPath: $0) })
        record.spec = updated
        try await persist()
    }

    /// Marks the instance deleted after stopping it if `force`; refuses a running instance otherwise.
    func prepareForDeletion(force: Bool) async throws {
        try await operations.withLock { try await self.performPrepareForDeletion(force: force) }
    }

    private func performPrepareForDeletion(force: Bool) async throws {
        try ensureExists()
        if lifecycle.state.hasProcess {
            guard force else {
                throw JoistError.invalidState("instance \(name) is \(lifecycle.state.rawValue); stop it first or delete with --force")
            }
            try await performStop(force: true, timeout: .zero)
        }
        deleted = true
    }

    /// The console hub of the running guest.
    public func consoleHub() throws -> ConsoleHub {
        guard let console, lifecycle.state.hasProcess else {
            throw JoistError.invalidState("instance \(name) is not running")
        }
        return console
    }

    /// The console history kept on disk.
    public nonisolated func consoleHistory() -> Data {
        ConsoleLog.history(at: paths.consoleLog)
    }
}
