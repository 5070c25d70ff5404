import AsyncHTTPClient
import Foundation
import JoistCore
import NIOCore
import Storage

/// Downloads an image from an `http` or `https` URL straight into a staging file, hashing it as it
/// arrives; the body is never held in memory.
///
/// Redirects are followed (to http and https only, at most five). A server that goes quiet for a
/// minute fails the download; cancelling the calling task stops it, and in every failure the staging
/// file is removed.
struct ImageDownloader {
    static let readTimeout = TimeAmount.seconds(60)
    static let maxRedirects = 5

    func download(
        _ text: String, into files: ImageFiles, reserve: UInt64, progress: TransferProgressHandler?
    ) async throws -> StagedFile {
        let url = try Self.validate(text)
        let client = HTTPClient(
            configuration: HTTPClient.Configuration(
                redirectConfiguration: .follow(max: Self.maxRedirects, allowCycles: false),
                timeout: .init(connect: .seconds(30), read: Self.readTimeout)))
        do {
            let staged = try await fetch(url, with: client, into: files, reserve: reserve, progress: progress)
            try await client.shutdown()
            return staged
        } catch {
            try? await client.shutdown()
            throw Self.describe(error, url: url)
        }
    }

    private func fetch(
        _ url: String, with client: HTTPClient, into files: ImageFiles, reserve: UInt64, progress: TransferProgressHandler?
    ) async throws -> StagedFile {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: "joistd")
        let response = try await client.execute(request, deadline: .distantFuture)
        guard response.status == .ok else {
            throw JoistError.invalidArgument("cannot download \(url): the server answered \(response.status.code) \(response.status.reasonPhrase)")
        }
        let total = response.headers.first(name: "Content-Length").flatMap { UInt64($0) }
        let staging = try files.newStagingFile(expectedSize: total, reserve: reserve)
        do {
            progress?(TransferProgress(stage: "downloading", done: 0, total: total))
            for try await buffer in response.body {
                try Task.checkCancellation()
                try buffer.withUnsafeReadableBytes { try staging.write($0) }
                progress?(TransferProgress(stage: "downloading", done: staging.size, total: total))
            }
            if let total, staging.size != total {
                throw JoistError.hostFailure("cannot download \(url): the server sent \(staging.size) of \(total) bytes")
            }
            return try staging.finish()
        } catch {
            staging.discard()
            throw error
        }
    }

    /// Accepts absolute `http` and `https` URLs with a host, nothing else (no files, no sockets).
    static func validate(_ text: String) throws(JoistError) -> String {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty
        else {
            throw .invalidArgument("cannot download '\(text.prefix(200))': give an http or https URL, e.g. https://example.com/disk.qcow2")
        }
        return text
    }

    /// Transport failures named for people; `JoistError`s and cancellation pass through.
    static func describe(_ error: any Error, url: String) -> any Error {
        if error is JoistError || error is CancellationError { return error }
        if let error = error as? HTTPClientError {
            if error == .cancelled { return CancellationError() }
            if error == .readTimeout { return JoistError(.timeout, "cannot download \(url): the server sent nothing for a minute") }
        }
        return JoistError.hostFailure("cannot download \(url): \(error)")
    }
}
