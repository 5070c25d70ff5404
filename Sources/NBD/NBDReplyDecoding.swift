import NIOCore

/// A complete reply to one request.
enum NBDReply: Sendable, Equatable {
    /// A simple reply: `error` 0 is success.
    case simple(error: UInt32)
    /// A structured reply's chunks, in arrival order, the last one flagged done.
    case structured([NBDReplyChunk])
}

/// Turns the reply to a block status request into one context's descriptors.
enum NBDBlockStatusReply {
    /// The descriptors for context `contextID` in `reply`; an error reply throws.
    static func descriptors(
        in reply: NBDReply, contextID: UInt32, what: String
    ) throws(NBDError) -> [(length: UInt32, flags: UInt32)] {
        var found: [(length: UInt32, flags: UInt32)]?
        for chunk in try chunks(of: reply, what: what) {
            switch chunk.type {
            case NBDChunkType.blockStatus:
                var payload = chunk.payload
                guard let id = payload.readInteger(as: UInt32.self), payload.readableBytes % 8 == 0 else {
                    throw .protocolViolation("block status chunk of \(chunk.payload.readableBytes) bytes")
                }
                guard id == contextID else { continue }
                var descriptors: [(length: UInt32, flags: UInt32)] = []
                while let length = payload.readInteger(as: UInt32.self), let flags = payload.readInteger(as: UInt32.self) {
                    descriptors.append((length, flags))
                }
                guard !descriptors.isEmpty else { throw .protocolViolation("block status chunk with no extent") }
                found = descriptors
            case NBDChunkType.none:
                continue
            default:
                throw .protocolViolation("chunk type \(chunk.type) in a block status reply")
            }
        }
        guard let found else { throw .protocolViolation("\(what): the reply has no extents for context \(contextID)") }
        return found
    }

    /// The chunks of a structured reply, after checking for errors.
    static func chunks(of reply: NBDReply, what: String) throws(NBDError) -> [NBDReplyChunk] {
        switch reply {
        case .simple(let error) where error != 0:
            throw .commandFailed(what: what, errno: NBDErrno.name(error), message: "")
        case .simple:
            throw .protocolViolation("\(what): a simple reply where structured replies were negotiated")
        case .structured(let chunks):
            for chunk in chunks where chunk.type & NBDChunkType.errorBit != 0 {
                throw error(in: chunk, what: what)
            }
            return chunks
        }
    }

    /// The error an error chunk carries.
    static func error(in chunk: NBDReplyChunk, what: String) -> NBDError {
        var payload = chunk.payload
        guard let errno = payload.readInteger(as: UInt32.self), let length = payload.readInteger(as: UInt16.self),
            let message = payload.readString(length: Int(length))
        else { return .protocolViolation("\(what): error chunk of \(chunk.payload.readableBytes) bytes") }
        var detail = message
        if chunk.type == NBDChunkType.errorOffset, let offset = payload.readInteger(as: UInt64.self) {
            detail += detail.isEmpty ? "at offset \(offset)" : " (at offset \(offset))"
        }
        return .commandFailed(what: what, errno: NBDErrno.name(errno), message: detail)
    }
}

/// Assembles the reply to one read: data chunks are copied in place, holes read as zeroes, and the
/// chunks must cover the range exactly once.
enum NBDReadReply {
    static func bytes(of reply: NBDReply, offset: UInt64, length: Int, what: String) throws(NBDError) -> [UInt8] {
        var pieces: [(start: UInt64, end: UInt64)] = []
        let end = offset + UInt64(length)
        let chunks = try NBDBlockStatusReply.chunks(of: reply, what: what)
        var failure: NBDError?
        // Not zeroed first: every byte is written by a data or hole chunk, which `checkCoverage` checks
        // before the bytes are returned.
        let bytes = [UInt8](unsafeUninitializedCapacity: length) { target, initialized in
            initialized = length
            for chunk in chunks where failure == nil {
                var payload = chunk.payload
                switch chunk.type {
                case NBDChunkType.offsetData:
                    guard let start = payload.readInteger(as: UInt64.self), payload.readableBytes > 0 else {
                        failure = .protocolViolation("\(what): data chunk of \(chunk.payload.readableBytes) bytes")
                        return
                    }
                    let stop = start + UInt64(payload.readableBytes)
                    guard start >= offset, stop <= end else {
                        failure = .protocolViolation("\(what): data chunk \(start)..<\(stop) outside the request")
                        return
                    }
                    payload.withUnsafeReadableBytes { source in
                        UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(target)[Int(start - offset)...]).copyMemory(from: source)
                    }
                    pieces.append((start, stop))
                case NBDChunkType.offsetHole:
                    guard let start = payload.readInteger(as: UInt64.self), let size = payload.readInteger(as: UInt32.self), size > 0 else {
                        failure = .protocolViolation("\(what): hole chunk of \(chunk.payload.readableBytes) bytes")
                        return
                    }
                    let stop = start + UInt64(size)
                    guard start >= offset, stop <= end else {
                        failure = .protocolViolation("\(what): hole \(start)..<\(stop) outside the request")
                        return
                    }
                    UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(target)[Int(start - offset)..<Int(stop - offset)])
                        .initializeMemory(as: UInt8.self, repeating: 0)
                    pieces.append((start, stop))
                case NBDChunkType.none:
                    continue
                default:
                    failure = .protocolViolation("\(what): chunk type \(chunk.type) in a read reply")
                }
            }
        }
        if let failure { throw failure }
        try checkCoverage(pieces.sorted { $0.start < $1.start }, from: offset, to: end, what: what)
        return bytes
    }

    private static func checkCoverage(_ pieces: [(start: UInt64, end: UInt64)], from offset: UInt64, to end: UInt64, what: String) throws(NBDError) {
        var position = offset
        for piece in pieces {
            guard piece.start == position else {
                throw .protocolViolation(
                    piece.start < position ? "\(what): chunks overlap at \(piece.start)" : "\(what): nothing read at \(position)..<\(piece.start)")
            }
            position = piece.end
        }
        guard position == end else { throw .protocolViolation("\(what): nothing read at \(position)..<\(end)") }
    }
}
