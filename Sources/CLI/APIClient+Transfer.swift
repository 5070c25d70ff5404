import AsyncHTTPClient
import Foundation
import JoistAPI
import NIOCore
import NIOHTTP1

extension APIClient {
    /// How long an upload may take, body included (the answer comes only once every byte is in).
    static let uploadTimeout = TimeAmount.hours(24)

    /// Sends (POST, or `method`) the bytes of `file` to `path` as `application/octet-stream`, a chunk at a time, and decodes
    /// the JSON answer. `progress` counts the bytes sent.
    func upload<Response: Decodable>(
        _ path: String, file: String, method: HTTPMethod = .POST, progress: TransferProgress, as: Response.Type
    ) async throws -> Response {
        let endpoint = try self.endpoint
        let length = try Self.length(of: file)
        var request = HTTPClientRequest(url: Self.url(endpoint, path))
        request.method = method
        request.headers.add(contentsOf: endpoint.authorizationHeaders)
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/octet-stream")
        request.body = .stream(FileChunks(path: file, onChunk: { progress.advance($0) }), length: .known(Int64(length)))
        let answer = try await execute(request, endpoint: endpoint, timeout: Self.uploadTimeout)
        return try APICoding.decoder().decode(Response.self, from: answer.body)
    }

    /// GETs `path` into `destination`, streaming: the bytes go to a temporary beside it, which becomes
    /// `destination` once complete (replacing a file there only when `replacing`). A failed or
    /// cancelled download leaves no file. Returns the bytes written.
    @discardableResult
    func download(_ path: String, to destination: String, replacing: Bool, progress: (UInt64?) -> TransferProgress) async throws -> UInt64 {
        let endpoint = try self.endpoint
        let file = try DownloadFile(destination: destination, replacing: replacing)
        do {
            var request = HTTPClientRequest(url: Self.url(endpoint, path))
            request.headers.add(contentsOf: endpoint.authorizationHeaders)
            let response: HTTPClientResponse
            do {
                response = try await Self.httpClient(for: endpoint).execute(request, timeout: Self.requestTimeout)
            } catch {
                throw try await Self.unreachable(endpoint, error)
            }
            guard response.status == .ok else {
                let body = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
                throw Self.apiError(APIResponse(status: Int(response.status.code), headers: response.headers, body: body), endpoint: endpoint)
            }
            let meter = progress(response.headers.first(name: "Content-Length").flatMap { UInt64($0) })
            var written: UInt64 = 0
            for try await buffer in response.body {
                try Task.checkCancellation()
                try buffer.withUnsafeReadableBytes { try file.write($0) }
                written += UInt64(buffer.readableBytes)
                meter.advance(buffer.readableBytes)
            }
            meter.finish()
            try file.commit(replacing: replacing)
            return written
        } catch {
            file.discard()
            throw error
        }
    }

    /// Sends a prepared request and collects its (JSON) answer; non-2xx answers become errors.
    private func execute(_ request: HTTPClientRequest, endpoint: APIEndpoint, timeout: TimeAmount) async throws -> APIResponse {
        let response: HTTPClientResponse
        let data: Data
        do {
            response = try await Self.httpClient(for: endpoint).execute(request, timeout: timeout)
            data = Data(try await response.body.collect(upTo: Self.maxResponseBytes).readableBytesView)
        } catch let error as CLIError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw try await Self.unreachable(endpoint, error)
        }
        let answer = APIResponse(status: Int(response.status.code), headers: response.headers, body: data)
        guard (200..<300).contains(answer.status) else { throw Self.apiError(answer, endpoint: endpoint) }
        return answer
    }

    /// The length of a regular file, or an error naming why it cannot be sent.
    static func length(of file: String) throws -> UInt64 {
        var info = stat()
        guard stat(file, &info) == 0 else { throw CLIError("cannot read \(file): \(String(cString: strerror(errno)))") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw CLIError("cannot upload \(file): it is not a regular file") }
        return UInt64(info.st_size)
    }
}
