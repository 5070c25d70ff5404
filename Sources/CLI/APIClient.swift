import AsyncHTTPClient
import Foundation
import JoistAPI
import NIOCore
import NIOHTTP1

/// Calls joistd's REST API over its Unix socket.
struct APIClient: Sendable {
    let socketPath: String
    /// Requests that wait for a guest (start, stop) may take this long.
    static let requestTimeout = TimeAmount.minutes(10)

    /// Sends a request and decodes a JSON answer; API errors become `CLIError`s with the daemon's message.
    func call<Response: Decodable>(
        _ method: HTTPMethod, _ path: String, body: (some Encodable)? = Optional<Int>.none, as: Response.Type
    ) async throws -> Response {
        let data = try await send(method, path, body: body)
        return try APICoding.decoder().decode(Response.self, from: data)
    }

    /// Sends a request and returns the raw answer body.
    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, body: (some Encodable)? = Optional<Int>.none) async throws -> Data {
        var request = HTTPClientRequest(url: url(path))
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try APICoding.encoder().encode(body)))
        }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: Self.requestTimeout)
        } catch {
            throw CLIError("cannot reach joistd at \(socketPath): \(reason(error)); is it running? (start it with `joistd`, or `make run`)")
        }
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let data = Data(bytes.readableBytesView)
        guard (200..<300).contains(response.status.code) else {
            if let error = try? APICoding.decoder().decode(ErrorResponse.self, from: data) {
                throw CLIError(error.error.message, code: error.error.code)
            }
            throw CLIError("joistd answered \(response.status)")
        }
        return data
    }

    private func url(_ path: String) -> String {
        let socket = socketPath.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socketPath
        return "http+unix://\(socket)\(path)"
    }

    /// Why the daemon could not be reached, in words a user can act on.
    private func reason(_ error: any Error) -> String {
        FileManager.default.fileExists(atPath: socketPath) ? "\(error)" : "no such socket"
    }

    /// Percent-encodes one path segment (instance names are validated, but be safe).
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? text
    }
}

/// An error the CLI prints as `Error: message` and exits non-zero for.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    let code: String?

    init(_ message: String, code: String? = nil) {
        self.message = message
        self.code = code
    }

    var description: String { message }
}
