import Testing

#if canImport(CLIConsole)
@testable import CLIConsole
#else
@testable import CLI
#endif

/// A minimal VNC client (RFB 3.8, security None, raw encoding) over one of joistd's WebSockets: just
/// enough to prove the graphical console shows the guest's screen.
struct RFBTestClient {
    struct ServerInit: Equatable {
        var width: Int
        var height: Int
        var name: String
    }

    private let connection: WebSocketConnection
    private var iterator: WebSocketConnection.Bytes.Iterator
    private var buffer: [UInt8] = []

    init(_ connection: WebSocketConnection) {
        self.connection = connection
        self.iterator = connection.bytes.makeAsyncIterator()
    }

    /// ProtocolVersion, security None, ClientInit, ServerInit. Asks for exclusive access (shared flag
    /// 0), which joistd turns into shared: no client can drop the others.
    mutating func handshake() async throws -> ServerInit {
        #expect(try await read(12) == Array("RFB 003.008\n".utf8))
        try await connection.send(Array("RFB 003.008\n".utf8))
        let types = try await read(Int(try await read(1)[0]))
        try #require(types.contains(1), "security types offered: \(types)")
        try await connection.send([1])
        try #require(try await read(4) == [0, 0, 0, 0], "security result")
        try await connection.send([0])
        let header = try await read(24)
        let name = try await read(Int(Self.u32(header, 20)))
        return ServerInit(width: Int(Self.u16(header, 0)), height: Int(Self.u16(header, 2)), name: String(decoding: name, as: UTF8.self))
    }

    /// Asks for 32-bit true-colour pixels in the raw encoding.
    func setRawTrueColour() async throws {
        try await connection.send([0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0])
        try await connection.send([2, 0, 0, 1, 0, 0, 0, 0])
    }

    /// FramebufferUpdateRequest for the whole screen; an incremental one is answered only once
    /// something changed.
    func requestUpdate(_ screen: ServerInit, incremental: Bool) async throws {
        let w = UInt16(screen.width), h = UInt16(screen.height)
        try await connection.send([3, incremental ? 1 : 0, 0, 0, 0, 0, UInt8(w >> 8), UInt8(w & 0xFF), UInt8(h >> 8), UInt8(h & 0xFF)])
    }

    /// Reads server messages up to the next FramebufferUpdate and returns how many pixels its raw
    /// rectangles cover, and how many of them differ from the commonest colour (text on a background).
    mutating func readUpdate() async throws -> (pixels: Int, drawn: Int) {
        while true {
            let type = try await read(1)[0]
            switch type {
            case 0:
                let rects = Int(Self.u16(try await read(3), 1))
                var colours: [UInt32: Int] = [:]
                var pixels = 0
                for _ in 0..<rects {
                    let rect = try await read(12)
                    let (w, h) = (Int(Self.u16(rect, 4)), Int(Self.u16(rect, 6)))
                    let encoding = Int32(bitPattern: Self.u32(rect, 8))
                    try #require(encoding == 0, "only raw was asked for, got encoding \(encoding)")
                    let data = try await read(w * h * 4)
                    for offset in stride(from: 0, to: data.count, by: 4) {
                        colours[Self.u32(data, offset) & 0x00FF_FFFF, default: 0] += 1
                    }
                    pixels += w * h
                }
                return (pixels, pixels - (colours.values.max() ?? 0))
            case 2:  // Bell
                continue
            case 3:  // ServerCutText
                _ = try await read(Int(Self.u32(try await read(7), 3)))
            default:
                Issue.record("unexpected server message type \(type)")
                throw CancellationError()
            }
        }
    }

    /// Sends raw bytes, as a client that breaks the protocol would.
    func send(_ bytes: [UInt8]) async throws {
        try await connection.send(bytes)
    }

    /// Whether the server ends the stream (reading whatever came before).
    mutating func readsToEnd() async throws -> Bool {
        while try await iterator.next() != nil {}
        return true
    }

    private mutating func read(_ count: Int) async throws -> [UInt8] {
        while buffer.count < count {
            guard let chunk = try await iterator.next() else {
                throw WebSocketError.protocolViolation("the VNC stream ended after \(buffer.count) of \(count) bytes")
            }
            buffer += chunk
        }
        let bytes = Array(buffer.prefix(count))
        buffer.removeFirst(count)
        return bytes
    }

    private static func u16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
        UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    private static func u32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(u16(bytes, offset)) << 16 | UInt32(u16(bytes, offset + 2))
    }
}
