import QEMUDriver
import Testing

@Suite("RFB client filter: viewers watch, operators type")
struct RFBClientFilterTests {
    /// One client message of each kind QEMU reads, and whether it is input (dropped for viewers).
    static let messages: [(name: String, bytes: [UInt8], input: Bool)] = [
        ("SetPixelFormat", [0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0], false),
        ("SetEncodings", [2, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF, 0xFE, 0xFE], false),
        ("SetEncodings, none", [2, 0, 0, 0], false),
        ("FramebufferUpdateRequest", [3, 0, 0, 0, 0, 0, 2, 208, 1, 144], false),
        ("KeyEvent", [4, 1, 0, 0, 0, 0, 0, 0x61], true),
        ("PointerEvent", [5, 1, 0, 10, 0, 20], true),
        ("ClientCutText", [6, 0, 0, 0, 0, 0, 0, 5] + Array("hello".utf8), true),
        ("ClientCutText, extended clipboard", [6, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFC, 0, 0, 0, 1], true),
        ("QEMU extended key event", [255, 0, 0, 1, 0, 0, 0, 0x61, 0, 0, 0, 0x1E], true),
        ("QEMU audio enable", [255, 1, 0, 0], false),
        ("QEMU audio disable", [255, 1, 0, 1], false),
        ("QEMU audio set format", [255, 1, 0, 2, 3, 2, 0, 0, 0xAC, 0x44], false),
        ("XVP reset", [250, 0, 1, 4], true),
        ("SetDesktopSize, one screen", [251, 0, 3, 0, 2, 0, 1, 0] + [UInt8](repeating: 7, count: 16), true),
    ]

    static let handshake38: [UInt8] = Array("RFB 003.008\n".utf8) + [1]

    /// What the client sends: the handshake, an exclusive ClientInit (0), then every message.
    static var stream: [UInt8] { handshake38 + [0] + messages.flatMap(\.bytes) }

    /// What reaches the server: the shared flag forced to 1 and, for a viewer, no input.
    static func expected(mayType: Bool) -> [UInt8] {
        handshake38 + [1] + messages.filter { mayType || !$0.input }.flatMap(\.bytes)
    }

    /// Feeds `bytes` in chunks of `size` (the last may be shorter).
    static func run(_ bytes: [UInt8], mayType: Bool, chunk size: Int) throws(RFBClientFilter.Failure) -> [UInt8] {
        var filter = RFBClientFilter(mayType: mayType)
        var output: [UInt8] = []
        var offset = 0
        while offset < bytes.count {
            output += try filter.filter(bytes[offset..<min(offset + size, bytes.count)])
            offset += size
        }
        return output
    }

    @Test("every message passes for an operator, with the shared flag forced, whatever the chunking", arguments: [1, 2, 3, 5, 7, 11, 64, 4096])
    func operatorStream(chunk: Int) throws {
        #expect(try Self.run(Self.stream, mayType: true, chunk: chunk) == Self.expected(mayType: true))
    }

    @Test("a viewer's keys, pointer, clipboard, QEMU keys, XVP and resizes are dropped, whatever the chunking", arguments: [1, 2, 3, 5, 7, 11, 64, 4096])
    func viewerStream(chunk: Int) throws {
        #expect(try Self.run(Self.stream, mayType: false, chunk: chunk) == Self.expected(mayType: false))
    }

    @Test("each message alone, split at every byte, passes or is dropped by role", arguments: Self.messages.indices)
    func eachMessage(index: Int) throws {
        let message = Self.messages[index]
        for split in 0...message.bytes.count {
            for mayType in [true, false] {
                var filter = RFBClientFilter(mayType: mayType)
                _ = try filter.filter(Self.handshake38 + [1])
                let output = try filter.filter(message.bytes[..<split]) + filter.filter(message.bytes[split...])
                #expect(output == (mayType || !message.input ? message.bytes : []), "\(message.name) split at \(split)")
            }
        }
    }

    @Test("RFB 3.3 has no security choice from the client: the next byte is ClientInit")
    func version33() throws {
        let key = Self.messages[4].bytes
        let stream = Array("RFB 003.003\n".utf8) + [0] + key
        #expect(try Self.run(stream, mayType: true, chunk: 1) == Array("RFB 003.003\n".utf8) + [1] + key)
        #expect(try Self.run(stream, mayType: false, chunk: 3) == Array("RFB 003.003\n".utf8) + [1])
    }

    @Test("an unknown message type ends the session: its length cannot be known", arguments: [
        ([UInt8]([7]), RFBClientFilter.Failure.unknownMessage(type: 7, subtype: nil)),
        ([150, 1, 0, 0, 0, 0, 0, 0, 0, 0], .unknownMessage(type: 150, subtype: nil)),
        ([255, 2], .unknownMessage(type: 255, subtype: 2)),
        ([255, 1, 0, 3], .unknownMessage(type: 255, subtype: 0x103)),
    ])
    func unknownType(message: [UInt8], failure: RFBClientFilter.Failure) throws {
        for mayType in [true, false] {
            var filter = RFBClientFilter(mayType: mayType)
            let pointer = Self.messages[5].bytes
            #expect(try filter.filter(Self.handshake38 + [1] + pointer) == Self.handshake38 + [1] + (mayType ? pointer : []))
            #expect(throws: failure) { try filter.filter(message) }
        }
    }

    @Test("versions other than RFB 3.3 to 3.8 and security types other than None are refused")
    func handshakeRefusals() {
        var filter = RFBClientFilter(mayType: true)
        #expect(throws: RFBClientFilter.Failure.unsupportedVersion("RFB 004.001")) { try filter.filter(Array("RFB 004.001\n".utf8)) }
        filter = RFBClientFilter(mayType: true)
        #expect(throws: RFBClientFilter.Failure.unsupportedSecurityType(2)) { try filter.filter(Array("RFB 003.008\n".utf8) + [2]) }
    }

    @Test("a long clipboard streams through without being held back")
    func longCutText() throws {
        var filter = RFBClientFilter(mayType: true)
        _ = try filter.filter(Self.handshake38 + [1])
        let text = [UInt8](repeating: 0x41, count: 100_000)
        let header: [UInt8] = [6, 0, 0, 0, 0, 1, 0x86, 0xA0]
        #expect(try filter.filter(header + text.prefix(10)) == header + text.prefix(10))
        #expect(try filter.filter(text.dropFirst(10)) == Array(text.dropFirst(10)))
        let pointer = Self.messages[5].bytes
        #expect(try filter.filter(pointer) == pointer)
    }
}
