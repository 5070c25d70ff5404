import Foundation
import QMP

extension GuestAgent {
    /// Opens `path` in the guest; returns the handle for `readFile`, `writeFile` and `closeFile`.
    /// `mode` is fopen's ("r", "w", …). Maps to `guest-file-open`.
    public func openFile(_ path: String, mode: String) async throws -> Int {
        let answer = try await execute("guest-file-open", arguments: ["path": .string(path), "mode": .string(mode)])
        guard let handle = answer.intValue else { throw GuestAgentError.protocolViolation("guest-file-open returned \(answer), not a handle") }
        return handle
    }

    /// Reads up to `count` bytes (qemu-ga refuses more than 48 MiB in one call). Maps to
    /// `guest-file-read`.
    public func readFile(handle: Int, count: Int) async throws -> (bytes: [UInt8], eof: Bool) {
        let answer = try await execute("guest-file-read", arguments: ["handle": .number(Double(handle)), "count": .number(Double(count))])
        guard let text = answer["buf-b64"]?.stringValue, let data = Data(base64Encoded: text) else {
            throw GuestAgentError.protocolViolation("guest-file-read returned no base64 data")
        }
        return (Array(data), answer["eof"]?.boolValue ?? data.isEmpty)
    }

    /// Writes `bytes`; returns how many the guest wrote. Maps to `guest-file-write`.
    public func writeFile(handle: Int, bytes: [UInt8]) async throws -> Int {
        let answer = try await execute(
            "guest-file-write", arguments: ["handle": .number(Double(handle)), "buf-b64": .string(Data(bytes).base64EncodedString())])
        guard let count = answer["count"]?.intValue else { throw GuestAgentError.protocolViolation("guest-file-write returned \(answer)") }
        return count
    }

    /// Closes a handle from `openFile`. Maps to `guest-file-close`.
    public func closeFile(handle: Int) async throws {
        _ = try await execute("guest-file-close", arguments: ["handle": .number(Double(handle))])
    }

    /// Asks the guest to power off. qemu-ga answers only when it could not start the shutdown
    /// (`guest-shutdown` has no success response), so this waits `grace` for a refusal: silence,
    /// or the connection closing as the guest goes down, counts as accepted.
    ///
    /// - Throws: `GuestAgentError.commandFailed` when the guest refused (no `/sbin/shutdown`, …).
    public func shutdown(grace: Duration = .seconds(1)) async throws {
        do {
            _ = try await execute("guest-shutdown", arguments: ["mode": "powerdown"], timeout: grace)
        } catch GuestAgentError.timeout, GuestAgentError.disconnected {
            return
        }
    }
}
