import APIServer
import ArgumentParser
import Daemon

/// `joistd`: the Joist daemon. All logic lives in the Daemon and APIServer libraries.
@main
struct JoistDaemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "joistd", abstract: "The Joist daemon: runs and supervises virtual machines.", version: APIServer.version)

    @Option(help: "Directory for state, instance files and the database.") var stateDir = DaemonOptions.defaultStateDirectory
    @Option(help: "Unix socket to serve the API on (local administration).") var socket = DaemonOptions.defaultSocket
    @Option(help: "Also serve the API on TCP with TLS and tokens, e.g. 0.0.0.0:8443 (off by default).") var listen: String?
    @Option(help: "TLS certificate (PEM) for --listen; default: a self-signed one in STATE/tls.") var tlsCert: String?
    @Option(help: "TLS private key (PEM) for --tls-cert.") var tlsKey: String?
    @Option(help: "QEMU system emulator to run.") var qemu = "qemu-system-x86_64"
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"
    @Option(help: "CPU weight of all guests together against other processes when the host is busy (1-10000; 100 weighs like one process).")
    var guestCPUWeight = 100
    @Option(help: "Seconds between metrics samples of every running guest (1-300); an hour of samples is kept.")
    var metricsInterval = 10

    func validate() throws {
        if let listen { _ = try ListenAddress(parsing: listen) }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard DaemonOptions.guestCPUWeights.contains(guestCPUWeight) else {
            throw ValidationError("--guest-cpu-weight must be within 1…10000, not \(guestCPUWeight)")
        }
        guard DaemonOptions.metricsIntervals.contains(metricsInterval) else {
            throw ValidationError("--metrics-interval must be within 1…300 seconds, not \(metricsInterval)")
        }
    }

    func run() async throws {
        var options = DaemonOptions(stateDirectory: stateDir, socketPath: socket, qemuBinary: qemu, logLevel: logLevel)
        options.listen = try listen.map { try ListenAddress(parsing: $0) }
        options.tlsCertificate = tlsCert
        options.tlsKey = tlsKey
        options.guestCPUWeight = guestCPUWeight
        options.metricsInterval = .seconds(metricsInterval)
        try await DaemonRunner.run(options)
    }
}
