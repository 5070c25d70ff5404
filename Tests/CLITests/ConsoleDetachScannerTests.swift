import Testing

#if canImport(CLIConsole)
@testable import CLIConsole
#else
@testable import CLI
#endif

@Suite("Detach key scanning")
struct ConsoleDetachScannerTests {
    @Test(
        "bytes before Ctrl-] are forwarded; Ctrl-] and anything after it are not",
        arguments: [
            ([0x61, 0x62], [0x61, 0x62], false),
            ([0x61, 0x1d, 0x62], [0x61], true),
            ([0x1d], [], true),
            ([0x03, 0x04], [0x03, 0x04], false),  // Ctrl-C and Ctrl-D belong to the guest
            ([], [], false),
        ] as [([UInt8], [UInt8], Bool)]
    )
    func scan(input: [UInt8], forward: [UInt8], detach: Bool) {
        let scan = ConsoleDetachScanner().scan(input)
        #expect(scan == .init(forward: forward, detach: detach))
    }
}
