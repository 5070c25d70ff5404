/// The numbers of the NBD protocol (the "fixed newstyle" negotiation and the transmission phase), as
/// the protocol document (`doc/proto.md` of the NBD project) names them.
enum NBDMagic {
    /// The server's first eight bytes: `NBDMAGIC`.
    static let server: UInt64 = 0x4e42_444d_4147_4943
    /// Follows `NBDMAGIC` in the newstyle handshake, and starts every option the client sends: `IHAVEOPT`.
    static let option: UInt64 = 0x4948_4156_454f_5054
    /// Starts every option reply.
    static let optionReply: UInt64 = 0x0003_e889_0455_65a9
    /// Starts every request in the transmission phase.
    static let request: UInt32 = 0x2560_9513
    /// Starts a simple reply.
    static let simpleReply: UInt32 = 0x6744_6698
    /// Starts a structured reply chunk.
    static let structuredReply: UInt32 = 0x668e_33ef
}

/// Handshake flags the server sends, and the client flags that answer them.
enum NBDHandshakeFlag {
    static let fixedNewstyle: UInt16 = 1 << 0
    static let noZeroes: UInt16 = 1 << 1
    static let clientFixedNewstyle: UInt32 = 1 << 0
    static let clientNoZeroes: UInt32 = 1 << 1
}

/// The options of the negotiation phase this client sends.
enum NBDOptionCode: UInt32, Sendable {
    case abort = 2
    case go = 7
    case structuredReply = 8
    case setMetaContext = 10
}

/// Option reply types; those with bit 31 set are errors.
enum NBDOptionReplyType {
    static let ack: UInt32 = 1
    static let info: UInt32 = 3
    static let metaContext: UInt32 = 4
    static let errorBit: UInt32 = 1 << 31

    /// The name the protocol gives an error reply, for messages.
    static func errorName(_ type: UInt32) -> String {
        switch type {
        case errorBit | 1: "NBD_REP_ERR_UNSUP (the server does not support it)"
        case errorBit | 2: "NBD_REP_ERR_POLICY (forbidden by the server's policy)"
        case errorBit | 3: "NBD_REP_ERR_INVALID (invalid request)"
        case errorBit | 4: "NBD_REP_ERR_PLATFORM (not supported on the server's platform)"
        case errorBit | 5: "NBD_REP_ERR_TLS_REQD (the server requires TLS)"
        case errorBit | 6: "NBD_REP_ERR_UNKNOWN (no such export)"
        case errorBit | 7: "NBD_REP_ERR_SHUTDOWN (the server is shutting down)"
        case errorBit | 8: "NBD_REP_ERR_BLOCK_SIZE_REQD (the export needs block size constraints)"
        case errorBit | 9: "NBD_REP_ERR_TOO_BIG (request too big)"
        default: "error reply \(type & ~errorBit)"
        }
    }
}

/// Information items of `NBD_REP_INFO`.
enum NBDInfoType {
    static let export: UInt16 = 0
    static let blockSize: UInt16 = 3
}

/// Transmission flags of an export.
public struct NBDTransmissionFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let hasFlags = NBDTransmissionFlags(rawValue: 1 << 0)
    public static let readOnly = NBDTransmissionFlags(rawValue: 1 << 1)
    public static let sendFlush = NBDTransmissionFlags(rawValue: 1 << 2)
    public static let sendFUA = NBDTransmissionFlags(rawValue: 1 << 3)
    public static let sendTrim = NBDTransmissionFlags(rawValue: 1 << 5)
    public static let canMultiConn = NBDTransmissionFlags(rawValue: 1 << 8)
}

/// The commands of the transmission phase this client sends.
enum NBDCommand: UInt16, Sendable {
    case read = 0
    case disconnect = 2
    case blockStatus = 7
}

/// Command flags.
enum NBDCommandFlag {
    /// Block status: return one extent per context only.
    static let requestOne: UInt16 = 1 << 3
}

/// Structured reply chunk types; those with bit 15 set are errors.
enum NBDChunkType {
    static let none: UInt16 = 0
    static let offsetData: UInt16 = 1
    static let offsetHole: UInt16 = 2
    static let blockStatus: UInt16 = 5
    static let error: UInt16 = (1 << 15) | 1
    static let errorOffset: UInt16 = (1 << 15) | 2
    static let errorBit: UInt16 = 1 << 15
    /// The chunk flag that marks the last chunk of a reply.
    static let flagDone: UInt16 = 1 << 0
}

/// The meta contexts Joist reads.
public enum NBDMetaContext {
    /// Allocation: which extents are holes, which read as zeroes.
    public static let allocation = "base:allocation"

    /// QEMU's view of dirty bitmap `name` (exported with the bitmap): which extents changed.
    public static func dirtyBitmap(_ name: String) -> String { "qemu:dirty-bitmap:" + name }

    /// `base:allocation` status bits.
    public static let stateHole: UInt32 = 1 << 0
    public static let stateZero: UInt32 = 1 << 1
    /// `qemu:dirty-bitmap:` status bit.
    public static let stateDirty: UInt32 = 1 << 0
}

/// The errno values NBD carries, by name.
enum NBDErrno {
    static func name(_ value: UInt32) -> String {
        switch value {
        case 1: "EPERM"
        case 5: "EIO"
        case 12: "ENOMEM"
        case 22: "EINVAL"
        case 28: "ENOSPC"
        case 75: "EOVERFLOW"
        case 95: "ENOTSUP"
        case 108: "ESHUTDOWN"
        default: "errno \(value)"
        }
    }
}
