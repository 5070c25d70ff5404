import NIOCore

/// What the client sends, encoded byte for byte as the protocol lays it out (big-endian throughout).
enum NBDClientMessage: Sendable, Equatable {
    /// The client's answer to the greeting: fixed newstyle, and no zero padding when the server offers that.
    case clientFlags(UInt32)
    /// An option of the negotiation phase with its data.
    case option(NBDOptionCode, data: [UInt8])
    /// A transmission-phase request.
    case request(NBDRequest)

    func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .clientFlags(let flags):
            buffer.writeInteger(flags)
        case .option(let code, let data):
            buffer.writeInteger(NBDMagic.option)
            buffer.writeInteger(code.rawValue)
            buffer.writeInteger(UInt32(data.count))
            buffer.writeBytes(data)
        case .request(let request):
            buffer.writeInteger(NBDMagic.request)
            buffer.writeInteger(request.flags)
            buffer.writeInteger(request.command.rawValue)
            buffer.writeInteger(request.cookie)
            buffer.writeInteger(request.offset)
            buffer.writeInteger(request.length)
        }
    }

    /// The encoded bytes (tests, and writers without a channel).
    var bytes: [UInt8] {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// `NBD_OPT_GO` for `export`, asking for its block size constraints (which this client honours).
    static func go(export: String) -> NBDClientMessage {
        var data = lengthPrefixed(export)
        data += bigEndian(UInt16(1))
        data += bigEndian(NBDInfoType.blockSize)
        return .option(.go, data: data)
    }

    /// `NBD_OPT_SET_META_CONTEXT` for `export` with `contexts` (`base:allocation`, `qemu:dirty-bitmap:…`).
    static func setMetaContext(export: String, contexts: [String]) -> NBDClientMessage {
        var data = lengthPrefixed(export)
        data += bigEndian(UInt32(contexts.count))
        for context in contexts { data += lengthPrefixed(context) }
        return .option(.setMetaContext, data: data)
    }

    private static func lengthPrefixed(_ text: String) -> [UInt8] {
        bigEndian(UInt32(text.utf8.count)) + Array(text.utf8)
    }

    private static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }
}

/// A transmission-phase request: 28 bytes on the wire, the cookie matching its reply.
struct NBDRequest: Sendable, Equatable {
    var command: NBDCommand
    var flags: UInt16 = 0
    var cookie: UInt64
    var offset: UInt64
    var length: UInt32
}
