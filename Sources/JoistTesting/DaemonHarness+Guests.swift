import Foundation

extension DaemonHarness {
    /// Creates an instance of the test guest (256 MiB, TCG), without starting it.
    public func createGuest(_ name: String, guest: TestGuest, extra: [String] = []) async throws {
        let result = try await cli(
            ["create", name, "--kernel", guest.kernel, "--initrd", guest.initrd, "--cmdline", TestGuest.cmdline,
             "--memory", "256MiB", "--accel", "tcg"] + extra)
        guard result.succeeded else { throw TestSetupError("create \(name) failed: \(result)") }
    }

    /// Waits until the console history kept by the daemon contains `text`.
    public func waitForConsole(_ name: String, containing text: String, after: Int = 0, timeout: Duration = .seconds(120)) async throws -> Bool {
        try await poll(timeout: timeout) {
            let log = try await cli(["console", name, "--log"]).stdout
            return log.count > after && log.dropFirst(after).contains(text)
        }
    }

    /// The instance as `joist info --format json` shows it.
    public func info(_ name: String) async throws -> [String: Any] {
        let result = try await cli(["info", name, "--format", "json"])
        guard result.succeeded, let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw TestSetupError("info \(name) failed: \(result)")
        }
        return object
    }

    /// The instance's state as a string.
    public func state(_ name: String) async throws -> String {
        try await info(name)["state"] as? String ?? "?"
    }

    /// Polls until the instance reaches `state`; returns whether it did within `timeout`.
    public func waitForState(_ name: String, _ state: String, timeout: Duration = .seconds(60)) async throws -> Bool {
        try await poll(timeout: timeout) { try await self.state(name) == state }
    }

    /// Checks `condition` until it holds or `timeout` passes: quickly at first, then every half
    /// second, since each check spawns the CLI and a busy host has no cycles to spare for polling.
    private func poll(timeout: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        var interval = Duration.milliseconds(50)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: interval)
            interval = min(interval * 2, .milliseconds(500))
        }
        return try await condition()
    }
}
