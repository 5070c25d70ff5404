import AsyncHTTPClient
import Foundation
import JoistAPI
import NIOCore
import NIOHTTP1

/// Calls joistd's REST API, over its Unix socket or over pinned HTTPS to a remote.
struct APIClient: Sendable {
    /// Requests that wait for a guest (start, stop) may take this long.
    static let requestTimeout = TimeAmount.minutes(10)
    /// Answers larger than this are refused.
    static let maxResponseBytes = 64 << 20

    /// Where requests go, or why that could not be decided (an unknown `--remote`); the error is
    /// thrown by the first request, so that building a client never fails.
    private let resolution: Result<APIEndpoint, CLIError>

    /// A client for `endpoint`.
    init(endpoint: APIEndpoint) {
        self.resolution = .success(endpoint)
    }

    /// A client for joistd's Unix socket at `socketPath`.
    init(socketPath: String) {
        self.init(endpoint: .unixSocket(path: socketPath))
    }

    /// A client that fails every request with `error`.
    init(unresolved error: CLIError) {
        self.resolution = .failure(error)
    }

    /// Where requests go.
    var endpoint: APIEndpoint {
        get throws { try self.resolution.get() }
    }

    /// Sends a request and decodes a JSON answer; API errors become `CLIError`s with the daemon's message.
    func call<Response: Decodable>(
        _ method: HTTPMethod, _ path: String, body: (some Encodable)? = Optional<Int>.none, as: Response.Type
    ) async throws -> Response {
        let data = try await self.send(method, path, body: body)
        return try APICoding.decoder().decode(Response.self, from: data)
    }

    /// Sends a request and returns the raw answer body.
    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, body: (some Encodable)? = Optional<Int>.none) async throws -> Data {
        try await self.request(method, path, body: body).body
    }

    /// Sends a request and returns the whole answer: status, headers (`ETag`, `Location`…) and body.
    ///
    /// - Throws: ``CLIError`` when joistd cannot be reached (naming the endpoint), when a remote's
    ///   certificate changed, and for every non-2xx answer (with the API's message and code).
    @discardableResult
    func request(
        _ method: HTTPMethod,
        _ path: String,
        body: (some Encodable)? = Optional<Int>.none,
        headers: [(String, String)] = [],
        timeout: TimeAmount = Self.requestTimeout
    ) async throws -> APIResponse {
        guard let body else { return try await self.request(method, path, rawBody: nil, headers: headers, timeout: timeout) }
        let json = HTTPClientRequest.Body.bytes(ByteBuffer(bytes: try APICoding.encoder().encode(body)))
        let typed = headers.filter { $0.0.lowercased() != "content-type" } + [("Content-Type", "application/json")]
        return try await self.request(method, path, rawBody: json, headers: typed, timeout: timeout)
    }

    /// Sends a request whose body is already in wire form (an upload streamed from a file), with its
    /// `Content-Type` among `headers`; errors as `request(_:_:body:headers:)`.
    func request(
        _ method: HTTPMethod, _ path: String, rawBody: HTTPClientRequest.Body?, headers: [(String, String)], timeout: TimeAmount
    ) async throws -> APIResponse {
        let endpoint = try self.endpoint
        var request = HTTPClientRequest(url: Self.url(endpoint, path))
        request.method = method
        request.headers.add(contentsOf: endpoint.authorizationHeaders)
        request.headers.add(contentsOf: headers)
        request.body = rawBody
        let response: HTTPClientResponse
        let data: Data
        do {
            response = try await Self.httpClient(for: endpoint).execute(request, timeout: timeout)
            data = Data(try await response.body.collect(upTo: Self.maxResponseBytes).readableBytesView)
        } catch let error as CLIError {
            throw error
        } catch {
            throw try await Self.unreachable(endpoint, error)
        }
        let answer = APIResponse(status: Int(response.status.code), headers: response.headers, body: data)
        guard (200..<300).contains(answer.status) else {
            throw Self.apiError(answer, endpoint: endpoint)
        }
        return answer
    }

    /// Percent-encodes one path segment (instance names are validated, but be safe).
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? text
    }

    static func url(_ endpoint: APIEndpoint, _ path: String) -> String {
        switch endpoint {
        case .unixSocket(let socketPath):
            let socket = socketPath.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socketPath
            return "http+unix://\(socket)\(path)"
        case .remote(let remote):
            return "\(remote.url)\(path)"
        }
    }

    static func httpClient(for endpoint: APIEndpoint) throws -> HTTPClient {
        switch endpoint {
        case .unixSocket: UnixSocketHTTPClient.shared
        case .remote(let remote): try PinnedHTTPClients.client(for: remote)
        }
    }

    /// The error for a request that never got an answer; for a remote whose handshake failed, first
    /// checks whether its certificate changed (and says so instead).
    static func unreachable(_ endpoint: APIEndpoint, _ error: any Error) async throws -> CLIError {
        switch endpoint {
        case .unixSocket(let path):
            let reason = FileManager.default.fileExists(atPath: path) ? "\(error)" : "no such socket"
            return CLIError("cannot reach joistd at \(path): \(reason); is it running? (start it with `joistd`, or `make run`)")
        case .remote(let remote):
            if isTLSFailure(error) { try await remote.checkPinnedCertificate() }
            return CLIError("cannot reach joistd at \(endpoint): \(ConnectionFailure.describe(error))")
        }
    }

    /// A non-2xx answer as an error: the API's message and code, else the status.
    static func apiError(_ answer: APIResponse, endpoint: APIEndpoint) -> CLIError {
        guard let decoded = try? APICoding.decoder().decode(ErrorResponse.self, from: answer.body) else {
            return CLIError("joistd at \(endpoint) answered HTTP \(answer.status)", status: answer.status)
        }
        var message = decoded.error.message
        if answer.status == 401, case .remote = endpoint {
            // Which token was refused matters when several remotes are configured.
            message += " (\(endpoint))"
        }
        return CLIError(message, code: decoded.error.code, status: answer.status)
    }
}

/// A complete API answer.
struct APIResponse: Sendable {
    /// The HTTP status, e.g. 200 or 202.
    let status: Int
    /// The response headers; names compare case-insensitively (`headers.first(name: "ETag")`).
    let headers: HTTPHeaders
    /// The body, usually JSON.
    let body: Data

    /// The first value of header `name` (case-insensitive), e.g. `header("ETag")`.
    func header(_ name: String) -> String? {
        self.headers.first(name: name)
    }

    /// The body decoded as JSON.
    func decode<Response: Decodable>(_ type: Response.Type) throws -> Response {
        try APICoding.decoder().decode(Response.self, from: self.body)
    }
}

/// An error the CLI prints as `Error: message` and exits non-zero for.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    /// The API's error code (`not_found`…) or the CLI's own (`certificate_changed`…).
    let code: String?
    /// The HTTP status of an API error.
    let status: Int?

    init(_ message: String, code: String? = nil, status: Int? = nil) {
        self.message = message
        self.code = code
        self.status = status
    }

    var description: String { message }
}
