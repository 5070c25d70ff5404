import AsyncHTTPClient
import Foundation
import JoistAPI
import NIOCore
import NIOHTTP1
import NIOSSL

/// One HTTP endpoint of a private joistd, spoken to directly: the Unix socket or the TLS listener.
///
/// Every call names the status it expects; anything else fails loudly with the method, path, status
/// and body, so a benchmark never counts errors as fast answers.
struct BenchClient: Sendable {
    enum Endpoint: Sendable {
        case unix(socketPath: String)
        /// `host:port`; the daemon's certificate is self-signed and not checked (a benchmark, not a client).
        case tls(address: String)
    }

    let http: HTTPClient
    let endpoint: Endpoint
    /// `Authorization: Bearer <secret>` when set.
    let bearer: String?

    /// A client with its own connection pool, at most `connections` connections to the daemon.
    static func make(_ endpoint: Endpoint, bearer: String? = nil, connections: Int = 32) -> BenchClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(120))
        if case .tls = endpoint {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none
            configuration.tlsConfiguration = tls
        }
        return BenchClient(
            http: HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration),
            endpoint: endpoint, bearer: bearer)
    }

    func shutdown() async { try? await http.shutdown() }

    func url(_ path: String) throws -> String {
        switch endpoint {
        case .unix(let socketPath):
            guard let url = URL(httpURLWithSocketPath: socketPath, uri: path) else {
                throw BenchError("cannot make a URL for \(path) on \(socketPath)")
            }
            return url.absoluteString
        case .tls(let address):
            return "https://\(address)\(path)"
        }
    }

    /// Sends one request and returns the body, or throws when the status is not `expect`.
    @discardableResult
    func send(
        _ method: HTTPMethod, _ path: String, body: Data? = nil, expect: HTTPResponseStatus = .ok
    ) async throws -> ByteBuffer {
        var request = HTTPClientRequest(url: try url(path))
        request.method = method
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await http.execute(request, timeout: .seconds(120))
        let answer = try await response.body.collect(upTo: 64 << 20)
        guard response.status == expect else {
            throw BenchError(
                "\(method) \(path): expected \(expect.code), got \(response.status.code): \(String(buffer: answer).prefix(2000))")
        }
        return answer
    }

    /// Sends `value` as JSON and decodes the answer as `T`.
    func send<T: Decodable>(
        _ method: HTTPMethod, _ path: String, json value: some Encodable, expect: HTTPResponseStatus, as type: T.Type
    ) async throws -> T {
        let answer = try await send(method, path, body: try APICoding.encoder().encode(value), expect: expect)
        return try Self.decode(T.self, from: answer, context: "\(method) \(path)")
    }

    /// GETs `path` and decodes the answer as `T`.
    func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        try Self.decode(T.self, from: try await send(.GET, path), context: "GET \(path)")
    }

    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer, context: String) throws -> T {
        do {
            return try APICoding.decoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw BenchError("\(context): cannot decode \(T.self): \(error): \(String(buffer: buffer).prefix(2000))")
        }
    }
}

extension BenchClient {
    /// `POST /1.0/instances`; 201 or it throws.
    func createInstance(_ create: InstanceCreate) async throws {
        _ = try await send(.POST, "/1.0/instances", json: create, expect: .created, as: Instance.self)
    }

    /// `DELETE /1.0/instances/NAME`, then waits for its operation to succeed.
    func deleteInstance(_ name: String, force: Bool = false) async throws {
        let path = "/1.0/instances/\(name)" + (force ? "?force=true" : "")
        let operation = try Self.decode(
            JoistAPI.Operation.self, from: try await send(.DELETE, path, expect: .accepted), context: "DELETE \(path)")
        try await waitForSuccess(operation, context: "DELETE \(path)")
    }

    /// `PUT /1.0/instances/NAME/state`, then waits for its operation to succeed.
    func changeState(_ name: String, _ change: InstanceStateChange) async throws {
        let path = "/1.0/instances/\(name)/state"
        let operation = try await send(.PUT, path, json: change, expect: .accepted, as: JoistAPI.Operation.self)
        try await waitForSuccess(operation, context: "PUT \(path) \(change.action.rawValue)")
    }

    /// Blocks on `GET /1.0/operations/ID/wait` until the operation is final; throws unless it succeeded.
    func waitForSuccess(_ operation: JoistAPI.Operation, context: String) async throws {
        var current = operation
        while !current.status.isFinal {
            current = try await get("/1.0/operations/\(current.id)/wait?timeout=60", as: JoistAPI.Operation.self)
        }
        guard current.status == .succeeded else {
            throw BenchError("\(context): operation \(current.id) ended \(current.status.rawValue): \(current.error.map { "\($0.code): \($0.message)" } ?? "no error")")
        }
    }
}

/// The benchmark cannot go on: what failed, with the daemon's answer.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
