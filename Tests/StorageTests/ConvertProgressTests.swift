import Storage
import Testing

@Suite("qemu-img convert progress")
struct ConvertProgressTests {
    /// What `qemu-img convert -p` printed converting a 64 MiB qcow2 with 32 MiB written (QEMU 7.2).
    static let captured =
        "    (0.00/100%)\r    (6.25/100%)\r    (12.50/100%)\r    (18.75/100%)\r    (25.00/100%)\r    (31.25/100%)\r"
        + "    (37.50/100%)\r    (43.75/100%)\r    (50.00/100%)\r    (56.25/100%)\r    (62.50/100%)\r    (68.75/100%)\r"
        + "    (75.00/100%)\r    (81.25/100%)\r    (87.50/100%)\r    (93.75/100%)\r    (100.00/100%)\r    (100.00/100%)\r\n"

    static let expected: [Double] = (0...16).map { Double($0) / 16 } + [1]

    @Test("reads every record of real output")
    func wholeOutput() {
        #expect(ConvertProgress.fractions(in: Self.captured) == Self.expected)
    }

    @Test("gives the same fractions however the pipe splits the output", arguments: [1, 2, 3, 7, 16, 100])
    func chunked(size: Int) {
        var parser = ConvertProgress()
        let bytes = Array(Self.captured.utf8)
        var fractions: [Double] = []
        for start in stride(from: 0, to: bytes.count, by: size) {
            fractions += parser.consume(bytes[start..<min(start + size, bytes.count)])
        }
        #expect(fractions == Self.expected)
    }

    @Test("a record's fraction, or nil for anything else", arguments: [
        ("    (12.50/100%)", 0.125), ("(0.00/100%)", 0), ("(100.00/100%)", 1),
        ("", nil), ("qemu-img: warning", nil), ("(abc/100%)", nil), ("(12.5/50%)", nil), ("(150.00/100%)", 1),
    ] as [(String, Double?)])
    func record(text: String, fraction: Double?) {
        #expect(ConvertProgress.fraction(of: text) == fraction)
    }

    @Test("an incomplete record waits for its end")
    func incompleteRecord() {
        var parser = ConvertProgress()
        #expect(parser.consume(Array("    (50.0".utf8)).isEmpty)
        #expect(parser.consume(Array("0/100%)\r".utf8)) == [0.5])
    }
}
