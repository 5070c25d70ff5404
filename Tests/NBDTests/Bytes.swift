import NIOCore

/// Builds byte fixtures field by field, big-endian, as the NBD protocol lays them out.
struct Bytes {
    private(set) var buffer = ByteBuffer()

    func u16(_ value: UInt16) -> Bytes { appending { $0.writeInteger(value) } }
    func u32(_ value: UInt32) -> Bytes { appending { $0.writeInteger(value) } }
    func u64(_ value: UInt64) -> Bytes { appending { $0.writeInteger(value) } }
    func text(_ value: String) -> Bytes { appending { $0.writeString(value) } }
    func raw(_ value: [UInt8]) -> Bytes { appending { $0.writeBytes(value) } }
    func then(_ other: Bytes) -> Bytes { appending { $0.writeImmutableBuffer(other.buffer) } }

    var array: [UInt8] { Array(buffer.readableBytesView) }

    private func appending(_ write: (inout ByteBuffer) -> Void) -> Bytes {
        var copy = self
        write(&copy.buffer)
        return copy
    }
}

/// Fixtures of what a server sends.
enum ServerBytes {
    static func greeting(flags: UInt16 = 3) -> Bytes {
        Bytes().text("NBDMAGIC").text("IHAVEOPT").u16(flags)
    }

    static func optionReply(option: UInt32, type: UInt32, payload: Bytes = Bytes()) -> Bytes {
        Bytes().u64(0x0003_e889_0455_65a9).u32(option).u32(type).u32(UInt32(payload.buffer.readableBytes)).then(payload)
    }

    static func chunk(flags: UInt16, type: UInt16, cookie: UInt64, payload: Bytes) -> Bytes {
        Bytes().u32(0x668e_33ef).u16(flags).u16(type).u64(cookie).u32(UInt32(payload.buffer.readableBytes)).then(payload)
    }

    static func simple(cookie: UInt64, error: UInt32) -> Bytes {
        Bytes().u32(0x6744_6698).u32(error).u64(cookie)
    }
}
