import Testing

@testable import CLI

/// What Ctrl-C does while a command starts, transfers and follows long actions (the rules alone; no
/// signals are sent).
@Suite("Ctrl-C: cancel what runs, never lose an early one, quit on the second")
struct InterruptStateTests {
    /// The action as text, so tests compare plainly.
    static func text(_ action: InterruptState<String>.Action) -> String {
        switch action {
        case .cancel(let target): "cancel \(target)"
        case .remember: "remember"
        case .quit: "quit"
        }
    }

    @Test("the first Ctrl-C cancels what is in progress; the second quits")
    func cancelsThenQuits() {
        var state = InterruptState<String>()
        #expect(state.begin("upload") == nil)
        #expect(Self.text(state.interrupt()) == "cancel upload")
        #expect(Self.text(state.interrupt()) == "quit")
    }

    @Test("a Ctrl-C while nothing can be cancelled yet cancels what begins next, at once")
    func remembered() {
        var state = InterruptState<String>()
        #expect(Self.text(state.interrupt()) == "remember")
        #expect(state.begin("operation 1") == "operation 1")
        #expect(Self.text(state.interrupt()) == "quit")
    }

    @Test("once interrupted, everything that begins is cancelled: an upload that finished anyway is followed by a cancelled operation")
    func staysInterrupted() {
        var state = InterruptState<String>()
        #expect(state.begin("upload") == nil)
        #expect(Self.text(state.interrupt()) == "cancel upload")
        state.end()
        #expect(state.begin("operation 1") == "operation 1")
    }

    @Test("without a Ctrl-C nothing is cancelled, however many things begin and end")
    func quiet() {
        var state = InterruptState<String>()
        for target in ["request", "upload", "operation"] {
            #expect(state.begin(target) == nil)
            state.end()
        }
        #expect(!state.interrupted)
        #expect(state.current == nil)
        #expect(Self.text(state.interrupt()) == "remember")
    }
}
