import Activity
import Foundation
import JoistCore
import QEMUDriver

extension InstanceSupervisor {
    /// Checks the project's limits for a configuration change and returns how to undo that reservation.
    public typealias QuotaCheck = @Sendable (_ old: InstanceSpec, _ new: InstanceSpec) async throws -> @Sendable () async -> Void

    /// The entity tag of the configuration, for `If-Match`.
    public func configETag() -> String { ETag.of(record.spec) }

    /// Applies `key=value` settings to a stopped instance after validating the result.
    ///
    /// `ifMatch` must name the current configuration's ETag when given; `quota` reserves any growth.
    public func updateConfig(
        _ settings: [(key: String, value: String)], ifMatch: String? = nil, quota: QuotaCheck? = nil
    ) async throws {
        try await operations.withLock { try await self.performUpdate(settings, ifMatch: ifMatch, quota: quota) }
    }

    private func performUpdate(_ settings: [(key: String, value: String)], ifMatch: String?, quota: QuotaCheck?) async throws {
        try ensureExists()
        // Malformed settings are refused as such (400) before the revision (412) and the state (409).
        let updated = try record.spec.applying(settings)
        try updated.validate(host: env.host, fileExists: { FileManager.default.fileExists(atPath: $0) })
        if updated.cloudInit?.userData != record.spec.cloudInit?.userData { try updated.validateUserData() }
        try ETag.check(ifMatch, current: configETag(), resource: "instance \(name)")
        guard lifecycle.state == .stopped else {
            throw JoistError.invalidState("instance \(name) must be stopped to change its configuration (it is \(lifecycle.state.rawValue))")
        }
        let undo = try await quota?(record.spec, updated)
        let previous = record.spec
        record.spec = updated
        do {
            try await persist()
        } catch {
            record.spec = previous
            await undo?()
            throw error
        }
        publishUpdated()
    }

    /// Marks the instance deleted after stopping it if `force`; refuses a running instance otherwise.
    /// Returns the configuration it had, so its project's usage can be released.
    func prepareForDeletion(force: Bool) async throws -> InstanceRecord {
        try await operations.withLock { try await self.performPrepareForDeletion(force: force) }
    }

    private func performPrepareForDeletion(force: Bool) async throws -> InstanceRecord {
        try ensureExists()
        if lifecycle.state.hasProcess {
            guard force else {
                throw JoistError.invalidState("instance \(name) is \(lifecycle.state.rawValue); stop it first or delete with --force")
            }
            try await performStop(force: true, timeout: .zero)
        }
        deleted = true
        return record
    }

    /// The console hub of the running guest.
    public func consoleHub() throws -> ConsoleHub {
        guard let console, lifecycle.state.hasProcess else {
            throw JoistError.invalidState("instance \(name) is not running")
        }
        return console
    }

    /// The path of QEMU's VNC socket for the API's graphical console. Refuses an instance with no
    /// display (running or not: that is what to change), one with no process, and one whose QEMU was
    /// started before it had a display.
    public func vncSocket() throws -> String {
        try ensureExists()
        guard record.spec.effectiveDisplay == .std else {
            throw JoistError.invalidState("instance \(name) has no display; set display=std while stopped")
        }
        guard lifecycle.state.hasProcess else { throw JoistError.invalidState("instance \(name) is not running") }
        guard FileManager.default.fileExists(atPath: paths.vncSocket) else {
            throw JoistError.invalidState("instance \(name) was started without a display; restart it to get one")
        }
        return paths.vncSocket
    }

    /// The console history kept on disk.
    public nonisolated func consoleHistory() -> Data {
        ConsoleLog.history(at: paths.consoleLog)
    }
}

extension InstanceSupervisor {
    /// Runs `body` with the configuration of the stopped instance, keeping it stopped until `body` ends
    /// (starts and stops wait for the operation lock). Refuses an instance that is not stopped.
    func whileStopped<T: Sendable>(doing action: String, _ body: @Sendable (InstanceSpec) async throws -> T) async throws -> T {
        try await operations.withLock {
            try await self.ensureStopped(for: action)
            return try await body(await self.record.spec)
        }
    }

    private func ensureStopped(for action: String) throws {
        try ensureExists()
        guard lifecycle.state == .stopped else {
            throw JoistError.invalidState("cannot \(action) instance \(name) while it is \(lifecycle.state.rawValue); stop it first")
        }
    }
}
