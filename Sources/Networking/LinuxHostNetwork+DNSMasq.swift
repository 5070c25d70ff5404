import Foundation
import JoistCore

/// One daemonized dnsmasq per hosted network, with its files in the network's folder.
///
/// dnsmasq starts as root and then runs as `nobody`, and it reads its reservations file
/// (`dhcp-hostsfile`) after that, at start and on every SIGHUP: the folder and the files are
/// world-readable (0755 and 0644), and every folder above must let others through. When they do
/// not, dnsmasq would only log "Permission denied" and serve no reservations, so
/// `ensureDNSMasq` refuses instead.
extension LinuxHostNetwork {
    public func ensureDNSMasq(_ config: DnsmasqConfig, layout: NetworkLayout) async throws {
        guard layout.kind.isHosted else {
            throw JoistError.invalidArgument("network \(layout.name) is a bridge to \(layout.uplink?.parent ?? layout.bridge): Joist runs no dnsmasq for it")
        }
        let paths = config.paths
        try Self.prepareFolder(paths, network: layout.name)
        let running = DnsmasqProcess.running(paths)
        if let running, NetworkFiles.read(paths.config) == config.config {
            guard NetworkFiles.read(paths.hostsFile) != config.hosts else { return }
            try NetworkFiles.writeAtomically(config.hosts, to: paths.hostsFile, mode: 0o644)
            // dnsmasq re-reads dhcp-hostsfile on SIGHUP; if it exited meanwhile, start it again.
            if running.send(SIGHUP) { return }
        }
        // Stop before writing: were joistd to stop in between, the next call would otherwise find
        // the new config beside a dnsmasq still serving the old one and leave it.
        try await running?.stop()
        try NetworkFiles.writeAtomically(config.hosts, to: paths.hostsFile, mode: 0o644)
        try NetworkFiles.writeAtomically(config.config, to: paths.config, mode: 0o644)
        try await startDNSMasq(paths, network: layout.name)
    }

    public func stopDNSMasq(_ paths: DnsmasqPaths) async throws {
        try await DnsmasqProcess.running(paths)?.stop()
    }

    /// Maps to `dnsmasq --conf-file=PATH`, which returns once the daemon is set up (or failed to).
    private func startDNSMasq(_ paths: DnsmasqPaths, network: String) async throws {
        let output = try await run(.dnsmasq, [DnsmasqProcess.confFileArgument(paths)])
        guard output.succeeded else {
            throw JoistError.hostFailure(
                "cannot start dnsmasq for network \(network): \(output.failureDetail); its config is \(paths.config)")
        }
        guard DnsmasqProcess.running(paths) != nil else {
            throw JoistError.hostFailure("dnsmasq for network \(network) started but is not running; see \(paths.logFile)")
        }
    }

    /// Creates the network's folder (0755), and checks that `nobody` can reach it.
    static func prepareFolder(_ paths: DnsmasqPaths, network: String) throws(JoistError) {
        let folder = paths.directory
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        } catch {
            throw .hostFailure("cannot create the dnsmasq folder \(folder) of network \(network): \(error.localizedDescription)")
        }
        guard chmod(folder, 0o755) == 0 else {
            throw .hostFailure("cannot make \(folder) readable for dnsmasq: \(String(cString: strerror(errno)))")
        }
        var ancestor = ""
        for component in folder.split(separator: "/").dropLast() {
            ancestor += "/" + component
            var info = stat()
            guard stat(ancestor, &info) == 0, info.st_mode & S_IXOTH != 0 else {
                throw .hostFailure(
                    "dnsmasq for network \(network) runs as nobody and could not read \(paths.hostsFile): "
                        + "\(ancestor) does not let others through; chmod o+x \(ancestor), or keep Joist's state elsewhere")
            }
        }
    }
}
