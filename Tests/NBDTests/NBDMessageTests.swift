import NIOCore
import Testing

@testable import NBD

@Suite("NBD client messages and option replies")
struct NBDMessageTests {
    @Test("options are IHAVEOPT, code, length and data")
    func options() {
        #expect(NBDClientMessage.clientFlags(3).bytes == [0, 0, 0, 3])
        #expect(NBDClientMessage.option(.structuredReply, data: []).bytes == Bytes().text("IHAVEOPT").u32(8).u32(0).array)
        let go = Bytes().text("IHAVEOPT").u32(7).u32(4 + 3 + 2 + 2).u32(3).text("vda").u16(1).u16(3)
        #expect(NBDClientMessage.go(export: "vda").bytes == go.array)
        let meta = Bytes().text("IHAVEOPT").u32(10).u32(4 + 1 + 4 + 4 + 15 + 4 + 20)
            .u32(1).text("x").u32(2).u32(15).text("base:allocation").u32(20).text("qemu:dirty-bitmap:b1")
        #expect(NBDClientMessage.setMetaContext(export: "x", contexts: ["base:allocation", "qemu:dirty-bitmap:b1"]).bytes == meta.array)
    }

    @Test("a request is 28 bytes: magic, flags, command, cookie, offset, length")
    func request() {
        let request = NBDRequest(command: .blockStatus, flags: 8, cookie: 0x0102, offset: 1 << 32, length: 65536)
        let expected = Bytes().u32(0x2560_9513).u16(8).u16(7).u64(0x0102).u64(1 << 32).u32(65536)
        #expect(NBDClientMessage.request(request).bytes == expected.array)
        #expect(NBDClientMessage.request(request).bytes.count == 28)
    }

    @Test("INFO items fill in size, flags and block sizes; unknown items are skipped")
    func info() throws {
        var info = NBDExportInfo(size: 0, flags: [])
        try NBDOptionReplyPayload.apply(info: Bytes().u16(0).u64(64 << 20).u16(0x0103).buffer, to: &info)
        try NBDOptionReplyPayload.apply(info: Bytes().u16(3).u32(1).u32(4096).u32(32 << 20).buffer, to: &info)
        try NBDOptionReplyPayload.apply(info: Bytes().u16(2).text("described").buffer, to: &info)
        #expect(info == NBDExportInfo(size: 64 << 20, flags: [.hasFlags, .readOnly, .canMultiConn], maximumBlockSize: 32 << 20))
        #expect(throws: NBDError.self) { try NBDOptionReplyPayload.apply(info: Bytes().u16(0).u32(1).buffer, to: &info) }
        #expect(throws: NBDError.self) { try NBDOptionReplyPayload.apply(info: Bytes().u16(3).u32(3).u32(0).u32(8).buffer, to: &info) }
        let context = try NBDOptionReplyPayload.metaContext(Bytes().u32(7).text("base:allocation").buffer)
        #expect(context.id == 7 && context.name == "base:allocation")
    }

    @Test("option error replies are named for the user")
    func errorNames() {
        #expect(NBDOptionReplyType.errorName(0x8000_0006).contains("no such export"))
        #expect(NBDOptionReplyType.errorName(0x8000_0001).contains("does not support"))
    }
}
