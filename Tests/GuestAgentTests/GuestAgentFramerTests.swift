import GuestAgent
import Testing

@Suite("Guest agent framing")
struct GuestAgentFramerTests {
    @Test("lines come out whole, blank ones skipped, \\r\\n accepted")
    func lines() throws {
        var framer = GuestAgentFramer()
        try framer.append(Array("{\"a\":1}\r\n\n{\"b\"".utf8))
        #expect(framer.nextLine() == Array("{\"a\":1}".utf8))
        #expect(framer.nextLine() == nil)
        try framer.append(Array(":2}\n".utf8))
        #expect(framer.nextLine() == Array("{\"b\":2}".utf8))
    }

    @Test("while waiting for the sentinel, buffered and arriving bytes are dropped")
    func sentinel() throws {
        var framer = GuestAgentFramer()
        try framer.append(Array("{\"return\": {}}\n{\"ret".utf8))
        framer.expectSentinel()
        try framer.append(Array("urn\": 7}\n".utf8))
        #expect(framer.nextLine() == nil)
        try framer.append([0xFF] + Array("{\"return\": 42}\n".utf8))
        #expect(framer.nextLine() == Array("{\"return\": 42}".utf8))
    }

    @Test("a late sentinel inside line mode is dropped from the line")
    func lateSentinel() throws {
        var framer = GuestAgentFramer()
        framer.expectSentinel()
        try framer.append([0xFF] + Array("{\"return\": 1}\n".utf8) + [0xFF] + Array("{\"return\": 2}\n".utf8))
        #expect(framer.nextLine() == Array("{\"return\": 1}".utf8))
        #expect(framer.nextLine() == Array("{\"return\": 2}".utf8))
    }

    @Test("a line past the limit is an error, not unbounded buffering")
    func tooLong() throws {
        var framer = GuestAgentFramer(maximumLineLength: 16)
        #expect(throws: GuestAgentFramer.LineTooLong.self) { try framer.append(Array(repeating: UInt8(ascii: "x"), count: 17)) }
    }
}
