import NIOCore

/// What the server told about the export during `NBD_OPT_GO`, and the meta contexts it agreed to.
public struct NBDExportInfo: Sendable, Equatable {
    /// The export's size in bytes.
    public var size: UInt64
    public var flags: NBDTransmissionFlags
    /// Requests should be aligned to this (1 when the server sets no constraint).
    public var minimumBlockSize: UInt32
    public var preferredBlockSize: UInt32
    /// The largest read the server answers (32 MiB when it says nothing: the protocol's safe default).
    public var maximumBlockSize: UInt32
    /// The meta contexts the server agreed to, by name, with the ids its block status replies carry.
    public var metaContexts: [String: UInt32]

    public init(
        size: UInt64, flags: NBDTransmissionFlags, minimumBlockSize: UInt32 = 1, preferredBlockSize: UInt32 = 4096,
        maximumBlockSize: UInt32 = 32 << 20, metaContexts: [String: UInt32] = [:]
    ) {
        self.size = size
        self.flags = flags
        self.minimumBlockSize = minimumBlockSize
        self.preferredBlockSize = preferredBlockSize
        self.maximumBlockSize = maximumBlockSize
        self.metaContexts = metaContexts
    }
}

/// Reads the payloads of option replies.
enum NBDOptionReplyPayload {
    /// Applies one `NBD_REP_INFO` item to `info` (items this client did not ask about are ignored).
    static func apply(info payload: ByteBuffer, to info: inout NBDExportInfo) throws(NBDError) {
        var payload = payload
        guard let type = payload.readInteger(as: UInt16.self) else { throw .protocolViolation("empty NBD_REP_INFO") }
        switch type {
        case NBDInfoType.export:
            guard let size = payload.readInteger(as: UInt64.self), let flags = payload.readInteger(as: UInt16.self) else {
                throw .protocolViolation("NBD_INFO_EXPORT of \(payload.readableBytes + 2) bytes")
            }
            info.size = size
            info.flags = NBDTransmissionFlags(rawValue: flags)
        case NBDInfoType.blockSize:
            guard let minimum = payload.readInteger(as: UInt32.self), let preferred = payload.readInteger(as: UInt32.self),
                let maximum = payload.readInteger(as: UInt32.self)
            else { throw .protocolViolation("NBD_INFO_BLOCK_SIZE of \(payload.readableBytes + 2) bytes") }
            guard minimum > 0, minimum.nonzeroBitCount == 1, maximum >= minimum else {
                throw .protocolViolation("block sizes min \(minimum), max \(maximum)")
            }
            info.minimumBlockSize = minimum
            info.preferredBlockSize = preferred
            info.maximumBlockSize = maximum
        default:
            break
        }
    }

    /// The id and name of an `NBD_REP_META_CONTEXT`.
    static func metaContext(_ payload: ByteBuffer) throws(NBDError) -> (id: UInt32, name: String) {
        var payload = payload
        guard let id = payload.readInteger(as: UInt32.self), let name = payload.readString(length: payload.readableBytes) else {
            throw .protocolViolation("NBD_REP_META_CONTEXT of \(payload.readableBytes) bytes")
        }
        return (id, name)
    }

    /// The server's message in an error reply, if it sent one.
    static func message(_ payload: ByteBuffer) -> String {
        payload.getString(at: payload.readerIndex, length: payload.readableBytes) ?? ""
    }
}
