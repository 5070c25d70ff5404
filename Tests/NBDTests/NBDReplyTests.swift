import NIOCore
import Testing

@testable import NBD

@Suite("NBD replies: reads, block status, errors")
struct NBDReplyTests {
    private func chunk(_ type: UInt16, done: Bool = false, _ payload: Bytes) -> NBDReplyChunk {
        NBDReplyChunk(flags: done ? 1 : 0, type: type, cookie: 1, payload: payload.buffer)
    }

    @Test("data and hole chunks in any order assemble the range; holes read as zeroes")
    func readAssembly() throws {
        let reply = NBDReply.structured([
            chunk(1, Bytes().u64(1004).raw([7, 8, 9, 10])),
            chunk(2, Bytes().u64(1002).u32(2)),
            chunk(1, done: true, Bytes().u64(1000).raw([1, 2])),
        ])
        #expect(try NBDReadReply.bytes(of: reply, offset: 1000, length: 8, what: "read") == [1, 2, 0, 0, 7, 8, 9, 10])
    }

    @Test("gaps, overlaps and chunks outside the request are protocol violations", arguments: [
        [(UInt16(1), Bytes().u64(0).raw([1, 2]))],
        [(UInt16(1), Bytes().u64(0).raw([1, 2, 3])), (UInt16(2), Bytes().u64(2).u32(2))],
        [(UInt16(1), Bytes().u64(0).raw([1, 2, 3, 4, 5]))],
        [(UInt16(2), Bytes().u64(0).u32(0)), (UInt16(1), Bytes().u64(0).raw([1, 2, 3, 4]))],
        [(UInt16(5), Bytes().u32(1).u32(4).u32(0))],
    ])
    func badReads(chunks: [(UInt16, Bytes)]) {
        let reply = NBDReply.structured(chunks.enumerated().map { index, pair in
            chunk(pair.0, done: index == chunks.count - 1, pair.1)
        })
        #expect(throws: NBDError.self) { try NBDReadReply.bytes(of: reply, offset: 0, length: 4, what: "read") }
    }

    @Test("error chunks and simple error replies carry errno and message")
    func errors() {
        let errorChunk = chunk(0x8002, done: true, Bytes().u32(5).u16(9).text("bad block").u64(4096))
        #expect(throws: NBDError.commandFailed(what: "read", errno: "EIO", message: "bad block (at offset 4096)")) {
            try NBDReadReply.bytes(of: .structured([errorChunk]), offset: 0, length: 4, what: "read")
        }
        #expect(throws: NBDError.commandFailed(what: "read", errno: "EINVAL", message: "")) {
            try NBDReadReply.bytes(of: .simple(error: 22), offset: 0, length: 4, what: "read")
        }
        #expect(throws: NBDError.self) { try NBDReadReply.bytes(of: .simple(error: 0), offset: 0, length: 4, what: "read") }
    }

    @Test("block status takes the asked context's descriptors and ignores the others")
    func blockStatus() throws {
        let reply = NBDReply.structured([
            chunk(5, Bytes().u32(1).u32(65536).u32(3)),
            chunk(5, done: true, Bytes().u32(2).u32(4096).u32(1).u32(8192).u32(0)),
        ])
        let descriptors = try NBDBlockStatusReply.descriptors(in: reply, contextID: 2, what: "status")
        #expect(descriptors.map(\.length) == [4096, 8192] && descriptors.map(\.flags) == [1, 0])
        #expect(throws: NBDError.self) { try NBDBlockStatusReply.descriptors(in: reply, contextID: 3, what: "status") }
        let odd = NBDReply.structured([chunk(5, done: true, Bytes().u32(2).u32(4096))])
        #expect(throws: NBDError.self) { try NBDBlockStatusReply.descriptors(in: odd, contextID: 2, what: "status") }
    }
}
