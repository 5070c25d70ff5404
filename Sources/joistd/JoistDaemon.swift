import APIServer
import ArgumentParser
import Daemon

/// `joistd`: the Joist daemon. All logic lives in the Daemon and APIServer libraries.
@main
struct JoistDaemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "joistd", abstract: "The Joist daemon: runs and supervises virtual machines.", version: APIServer.version)

    @Option(help: "Directory for state, instance files and the database.") var stateDir = DaemonOptions.defaultStateDirectory
    @Option(help: "Unix socket to serve the API on.") var socket = DaemonOptions.defaultSocket
    @Option(help: "QEMU system emulator to run.") var qemu = "qemu-system-x86_64"
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"

    func run() async throws {
        try await DaemonRunner.run(
            DaemonOptions(stateDirectory: stateDir, socketPath: socket, qemuBinary: qemu, logLevel: logLevel))
    }
}
