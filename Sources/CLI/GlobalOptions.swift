import ArgumentParser
import Foundation

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    static let defaultSocket = "/run/joist/joist.sock"

    @Option(name: .long, help: "joistd's Unix socket (default: $JOIST_SOCKET or /run/joist/joist.sock).")
    var socket: String?

    var socketPath: String {
        socket ?? ProcessInfo.processInfo.environment["JOIST_SOCKET"] ?? Self.defaultSocket
    }

    func client() -> APIClient { APIClient(socketPath: socketPath) }
}
