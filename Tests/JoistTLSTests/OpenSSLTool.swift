import Foundation
import JoistTesting

/// The `openssl` command line, the reference the certificates and fingerprints are checked against.
enum OpenSSLTool {
    /// Runs `openssl ARGUMENTS` with `input` on stdin and returns its stdout; throws on a non-zero exit.
    static func run(_ arguments: [String], input: String = "") throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw OpenSSLFailure(arguments: arguments, stderr: String(decoding: errors, as: UTF8.self))
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The fingerprint `openssl x509 -noout -fingerprint -sha256` prints, without its `sha256 Fingerprint=` label.
    static func fingerprint(ofPEM pem: String) throws -> String {
        let line = try Self.run(["x509", "-noout", "-fingerprint", "-sha256"], input: pem)
        return String(line.split(separator: "=", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// `openssl` exited with an error.
struct OpenSSLFailure: Error, CustomStringConvertible {
    let arguments: [String]
    let stderr: String
    var description: String { "openssl \(self.arguments.joined(separator: " ")) failed: \(self.stderr)" }
}

/// An `openssl s_server` on 127.0.0.1 and a kernel-chosen port, serving a given certificate.
final class OpenSSLServer: Sendable {
    /// The port it accepted on.
    let port: Int
    private let process: Process
    // Held open so s_server never sees end of input and quits.
    private let stdin: Pipe

    private init(port: Int, process: Process, stdin: Pipe) {
        self.port = port
        self.process = process
        self.stdin = stdin
    }

    /// Starts a server for the certificate and key files, runs `body`, then stops the server.
    static func withServer<Result>(
        certificate: String,
        key: String,
        _ body: (OpenSSLServer) async throws -> Result
    ) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", certificate, "-key", key, "-www"]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            // SIGKILL: children of the test runner inherit a signal mask that blocks SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let port = try Self.readAcceptedPort(stdout.fileHandleForReading)
        return try await body(OpenSSLServer(port: port, process: process, stdin: stdin))
    }

    /// Reads stdout until the `ACCEPT 127.0.0.1:PORT` line.
    private static func readAcceptedPort(_ handle: FileHandle) throws -> Int {
        var text = ""
        while true {
            let chunk = handle.availableData
            guard !chunk.isEmpty else { throw OpenSSLFailure(arguments: ["s_server"], stderr: "exited before accepting: \(text)") }
            text += String(decoding: chunk, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT") }),
                let port = line.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) })
            {
                return port
            }
        }
    }
}
