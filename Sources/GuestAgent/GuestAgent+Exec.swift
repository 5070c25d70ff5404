import Foundation
import QMP

extension GuestAgent {
    /// Starts `path` with `arguments` in the guest, capturing its output; returns its pid for
    /// `execStatus`. Maps to `guest-exec`.
    public func exec(_ path: String, arguments: [String] = [], environment: [String] = [], input: [UInt8]? = nil) async throws -> Int {
        var request: [String: JSONValue] = [
            "path": .string(path), "arg": .array(arguments.map(JSONValue.string)), "capture-output": true,
        ]
        if !environment.isEmpty { request["env"] = .array(environment.map(JSONValue.string)) }
        if let input { request["input-data"] = .string(Data(input).base64EncodedString()) }
        let answer = try await execute("guest-exec", arguments: request)
        guard let pid = answer["pid"]?.intValue else { throw GuestAgentError.protocolViolation("guest-exec returned no pid: \(answer)") }
        return pid
    }

    /// How the process `pid` started by `exec` is doing, with its output once it has exited. Maps to
    /// `guest-exec-status`.
    public func execStatus(pid: Int) async throws -> GuestExecStatus {
        GuestExecStatus(try await execute("guest-exec-status", arguments: ["pid": .number(Double(pid))]))
    }
}

/// A process started with `guest-exec`, as `guest-exec-status` reports it.
public struct GuestExecStatus: Sendable, Hashable {
    public var exited: Bool
    /// The exit code, once it exited normally.
    public var exitCode: Int?
    /// The signal that ended it, if one did.
    public var signal: Int?
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// Whether the agent dropped output past its limit (16 MiB per stream).
    public var truncated: Bool

    init(_ value: JSONValue) {
        exited = value["exited"]?.boolValue ?? false
        exitCode = value["exitcode"]?.intValue
        signal = value["signal"]?.intValue
        stdout = Self.decode(value["out-data"])
        stderr = Self.decode(value["err-data"])
        truncated = value["out-truncated"]?.boolValue == true || value["err-truncated"]?.boolValue == true
    }

    private static func decode(_ value: JSONValue?) -> [UInt8] {
        value?.stringValue.flatMap { Data(base64Encoded: $0) }.map(Array.init) ?? []
    }
}
