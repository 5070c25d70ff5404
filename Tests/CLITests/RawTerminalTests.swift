#if canImport(Glibc)
import Glibc
import Testing

#if canImport(CLIConsole)
@testable import CLIConsole
#else
@testable import CLI
#endif

@Suite("Raw terminal mode")
struct RawTerminalTests {
    @Test(
        "a pseudo-terminal is raw inside the call and restored after it, even when the body throws",
        .enabled(if: PseudoTerminal.isAvailable, "needs /dev/ptmx and a mounted /dev/pts")
    )
    func rawAndRestored() async throws {
        let pty = try #require(PseudoTerminal())
        defer { pty.close() }

        struct Boom: Error {}
        #expect(Self.isCanonical(pty.terminal))
        await #expect(throws: Boom.self) {
            try await RawTerminal.withRawMode(fileDescriptor: pty.terminal) {
                #expect(!Self.isCanonical(pty.terminal))
                throw Boom()
            }
        }
        #expect(Self.isCanonical(pty.terminal))
    }

    @Test("a descriptor that is not a terminal is left alone")
    func notATerminal() async throws {
        var descriptors: [Int32] = [0, 0]
        try #require(pipe(&descriptors) == 0)
        defer { descriptors.forEach { _ = Glibc.close($0) } }
        let value = try await RawTerminal.withRawMode(fileDescriptor: descriptors[0]) { 42 }
        #expect(value == 42)
    }

    private static func isCanonical(_ fileDescriptor: Int32) -> Bool {
        var settings = termios()
        guard tcgetattr(fileDescriptor, &settings) == 0 else { return false }
        return settings.c_lflag & tcflag_t(ICANON) != 0
    }
}

/// A pseudo-terminal pair for tests. Glibc's module hides the `posix_openpt` family (it needs
/// `_XOPEN_SOURCE`), so they are looked up at run time.
struct PseudoTerminal {
    /// The controlling side.
    let controller: Int32
    /// The terminal side, which behaves like a real tty.
    let terminal: Int32

    /// Whether this machine can open a pseudo-terminal.
    static let isAvailable: Bool = {
        guard let pty = PseudoTerminal() else { return false }
        pty.close()
        return true
    }()

    /// Opens a pair, or nil when pseudo-terminals are unavailable.
    init?() {
        typealias IntFunction = @convention(c) (Int32) -> Int32
        typealias NameFunction = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
        guard
            let openSymbol = dlsym(nil, "posix_openpt"), let grantSymbol = dlsym(nil, "grantpt"),
            let unlockSymbol = dlsym(nil, "unlockpt"), let nameSymbol = dlsym(nil, "ptsname")
        else { return nil }
        let controller = unsafeBitCast(openSymbol, to: IntFunction.self)(O_RDWR | O_NOCTTY)
        guard controller >= 0 else { return nil }
        guard
            unsafeBitCast(grantSymbol, to: IntFunction.self)(controller) == 0,
            unsafeBitCast(unlockSymbol, to: IntFunction.self)(controller) == 0,
            let name = unsafeBitCast(nameSymbol, to: NameFunction.self)(controller)
        else {
            _ = Glibc.close(controller)
            return nil
        }
        let terminal = open(name, O_RDWR | O_NOCTTY)
        guard terminal >= 0 else {
            _ = Glibc.close(controller)
            return nil
        }
        self.controller = controller
        self.terminal = terminal
    }

    /// Closes both sides.
    func close() {
        _ = Glibc.close(self.terminal)
        _ = Glibc.close(self.controller)
    }
}
#endif
