import NIOCore
import Testing

@testable import NBD

@Suite("NBD frame decoder")
struct NBDFrameDecoderTests {
    /// Feeds `bytes` one byte at a time, collecting every frame the decoder completes.
    private func frames(_ bytes: [UInt8], decoder: inout NBDFrameDecoder) throws -> [NBDServerFrame] {
        var buffer = ByteBuffer()
        var frames: [NBDServerFrame] = []
        for byte in bytes {
            buffer.writeInteger(byte)
            while let frame = try decoder.next(from: &buffer) { frames.append(frame) }
        }
        #expect(buffer.readableBytes == 0, "bytes left over")
        return frames
    }

    @Test("the greeting, option replies and, after GO's ACK, transmission replies are framed even byte by byte")
    func phases() throws {
        var decoder = NBDFrameDecoder()
        let info = Bytes().u16(0).u64(1 << 20).u16(0x0003)
        let data = Bytes().u64(4096).raw([1, 2, 3])
        let stream = ServerBytes.greeting()
            .then(ServerBytes.optionReply(option: 8, type: 1))
            .then(ServerBytes.optionReply(option: 7, type: 3, payload: info))
            .then(ServerBytes.optionReply(option: 7, type: 1))
            .then(ServerBytes.chunk(flags: 1, type: 1, cookie: 9, payload: data))
            .then(ServerBytes.simple(cookie: 10, error: 22))
        let decoded = try frames(stream.array, decoder: &decoder)
        #expect(decoded.count == 6)
        #expect(decoded[0] == .greeting(handshakeFlags: 3))
        #expect(decoded[1] == .optionReply(option: 8, type: 1, payload: ByteBuffer()))
        #expect(decoded[2] == .optionReply(option: 7, type: 3, payload: info.buffer))
        #expect(decoded[4] == .chunk(NBDReplyChunk(flags: 1, type: 1, cookie: 9, payload: data.buffer)))
        #expect(decoded[5] == .simpleReply(cookie: 10, error: 22))
        #expect(decoder.phase == .transmission)
    }

    @Test("an oldstyle server, a stranger and a reply with a bad magic are refused by name", arguments: [
        (Bytes().text("NBDMAGIC").u64(0x0042_0281_8612_53).u16(0), "oldstyle"),
        (Bytes().text("HTTP/1.1 400 Bad Request"), "not an NBD server"),
        (Bytes().text("NBDMAGIC").text("IHAVEOPT").u16(0), "fixed newstyle"),
    ])
    func refusals(stream: Bytes, expected: String) throws {
        var decoder = NBDFrameDecoder()
        var buffer = stream.buffer
        #expect {
            _ = try decoder.next(from: &buffer)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test("a reply chunk longer than the limit is an error rather than buffering")
    func tooLong() throws {
        var decoder = NBDFrameDecoder(maximumPayload: 100)
        var buffer = ServerBytes.greeting().then(ServerBytes.optionReply(option: 7, type: 1)).buffer
        _ = try decoder.next(from: &buffer)
        _ = try decoder.next(from: &buffer)
        buffer.writeImmutableBuffer(Bytes().u32(0x668e_33ef).u16(1).u16(1).u64(1).u32(101).buffer)
        #expect(throws: NBDError.protocolViolation("reply chunk of 101 bytes")) { _ = try decoder.next(from: &buffer) }
        var unknown = Bytes().u32(0x1234_5678).u32(0).u64(0).buffer
        #expect(throws: NBDError.self) { _ = try decoder.next(from: &unknown) }
    }
}
