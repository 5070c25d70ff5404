import Daemon
import Foundation
import Hummingbird
import JoistCore
import NIOCore
import Synchronization

/// Streams a request body into a new file of the staging folder, a chunk at a time: an image of any
/// size passes through without being collected in memory (the JSON body limit does not apply).
///
/// The state directory's file system must keep `TransferStaging.reserve` free: a declared length is
/// checked before the first byte, and the room is checked again as the bytes arrive.
struct UploadReceiver {
    let staging: TransferStaging
    /// Bytes written between two checks of the free space.
    static let checkEvery: UInt64 = 64 << 20

    /// Writes the body to a new staging file and returns its path; on any failure (the client gone,
    /// no room, an empty body) the file is removed and the error thrown.
    func receive(_ request: Request, context: JoistRequestContext) async throws -> String {
        if let declared = request.headers[.contentLength].flatMap({ UInt64($0) }) {
            try staging.checkRoom(for: declared, what: "cannot receive the upload")
        }
        let path = try staging.newUpload()
        let meter = UploadMeter(staging: staging)
        do {
            try await FileIO().writeFile(contents: request.body.map { try meter.pass($0) }, path: path, context: context)
            guard meter.total > 0 else {
                throw JoistError.invalidArgument("the upload is empty: send the image file's bytes as the request body")
            }
        } catch {
            staging.remove(path)
            throw error
        }
        return path
    }
}

/// Counts an upload's bytes and checks the room left every `UploadReceiver.checkEvery` of them.
private final class UploadMeter: Sendable {
    private struct Counts {
        var total: UInt64 = 0
        var unchecked: UInt64 = 0
    }

    private let counts = Mutex(Counts())
    private let staging: TransferStaging

    init(staging: TransferStaging) {
        self.staging = staging
    }

    var total: UInt64 { counts.withLock { $0.total } }

    func pass(_ buffer: ByteBuffer) throws -> ByteBuffer {
        let due = counts.withLock { counts -> UInt64? in
            counts.total += UInt64(buffer.readableBytes)
            counts.unchecked += UInt64(buffer.readableBytes)
            guard counts.unchecked >= UploadReceiver.checkEvery else { return nil }
            defer { counts.unchecked = 0 }
            return counts.unchecked
        }
        if let due { try staging.checkRoom(for: due, what: "cannot receive the rest of the upload") }
        return buffer
    }
}
