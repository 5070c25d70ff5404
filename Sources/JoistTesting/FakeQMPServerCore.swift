import NIOCore
import QMP
import Synchronization

/// The fake's shared state: its script, what it has received, and who is connected.
final class FakeQMPServerCore: Sendable {
    private struct Connection {
        let channel: any Channel
        var negotiated = false
    }

    private struct State {
        var handler: FakeQMPServer.Handler
        var commands: [FakeQMPServer.Command] = []
        var connections: [ObjectIdentifier: Connection] = [:]
    }

    let greeting: JSONValue?
    private let state: Mutex<State>

    init(greeting: JSONValue?, handler: @escaping FakeQMPServer.Handler) {
        self.greeting = greeting
        self.state = Mutex(State(handler: handler))
    }

    var commands: [FakeQMPServer.Command] {
        state.withLock { $0.commands }
    }

    func setHandler(_ handler: @escaping FakeQMPServer.Handler) {
        state.withLock { $0.handler = handler }
    }

    func connected(_ channel: any Channel) {
        state.withLock { $0.connections[ObjectIdentifier(channel)] = Connection(channel: channel) }
    }

    func disconnected(_ channel: any Channel) {
        _ = state.withLock { $0.connections.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    func negotiated(_ channel: any Channel) {
        state.withLock { $0.connections[ObjectIdentifier(channel)]?.negotiated = true }
    }

    func channels(negotiatedOnly: Bool) -> [any Channel] {
        state.withLock { state in
            state.connections.values.filter { !negotiatedOnly || $0.negotiated }.map(\.channel)
        }
    }

    /// Records `command` and asks the test's handler how to answer it.
    func reply(to command: FakeQMPServer.Command) -> FakeQMPServer.Reply {
        let handler = state.withLock { state in
            state.commands.append(command)
            return state.handler
        }
        return handler(command)
    }
}
