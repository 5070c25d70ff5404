import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

/// `joist info NAME [--format json|yaml]`: state, QEMU pid, uptime, accelerator, configuration, each
/// NIC's network, MAC, reserved and leased addresses, and (in text, for a running guest) what its
/// guest agent says: the OS and the addresses of its interfaces, or that the agent is not answering.
struct Info: AsyncParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, yaml }

    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show an instance's state and configuration.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Instance name.") var name: String
    @Option(help: "Output format: text, json or yaml.") var format: Format = .text

    func run() async throws {
        let instance = try await global.client().call(.GET, global.scoped("/1.0/instances/\(APIClient.segment(name))"), as: Instance.self)
        switch format {
        case .json: print(try OutputFormat.structured(instance, as: .json), terminator: "")
        case .yaml: print(try OutputFormat.structured(instance, as: .yaml), terminator: "")
        case .text:
            var text = Self.text(instance)
            if instance.state == .running { text += Self.text(await guest()) }
            print(text, terminator: "")
        }
    }

    /// What the guest agent says; joistd bounds it to about a second.
    private func guest() async -> InstanceGuest? {
        let path = global.scoped("/1.0/instances/\(APIClient.segment(name))/guest")
        return try? await global.client().request(.GET, path, timeout: .seconds(10)).decode(InstanceGuest.self)
    }

    /// `Guest agent: answering`, the OS, and one line per interface.
    static func text(_ guest: InstanceGuest?) -> String {
        guard let guest else { return "Guest agent: -\n" }
        guard guest.agent == .answering else {
            return "Guest agent: not answering" + (guest.message.map { " (\($0))" } ?? "") + "\n"
        }
        var lines = ["Guest agent: answering"]
        if let os = guest.os {
            let name = os.prettyName ?? [os.id, os.versionID].compactMap { $0 }.joined(separator: " ")
            lines.append("  os: \(name.isEmpty ? "-" : name)" + (os.kernelRelease.map { " (kernel \($0))" } ?? ""))
        }
        lines += guest.interfaces.map { "  \($0.name): \($0.addresses.isEmpty ? "no address" : $0.addresses.joined(separator: ", "))" }
        return lines.joined(separator: "\n") + "\n"
    }

    static func text(_ instance: Instance, now: Date = Date()) -> String {
        let config = instance.config
        var lines = [
            "Name: \(instance.name)",
            "Project: \(instance.project)",
            "State: \(instance.state.rawValue)",
            "PID: \(instance.pid.map(String.init) ?? "-")",
            "Uptime: \(instance.uptime(now: now).map(Human.duration) ?? "-")",
            "Accelerator: \(instance.accelerator?.rawValue ?? "-") (configured: \(config.accel.rawValue))",
            "Created: \(instance.createdAt.formatted(.iso8601))",
        ]
        if let exit = instance.lastExit {
            lines.append("Last exit: \(exit.reason) (\(exit.at.formatted(.iso8601)))")
        }
        lines += [
            "Config:",
            "  machine: \(config.machine.rawValue)",
            "  cpus: \(config.cpus)",
            "  memory: \(config.memory)",
            "  display: \(config.effectiveDisplay.rawValue)",
        ]
        if let kernel = config.kernel {
            lines += ["  kernel: \(kernel)", "  initrd: \(config.initrd ?? "-")", "  cmdline: \(config.cmdline)"]
        } else {
            lines.append("  boot: firmware (disks, then CD-ROM)")
        }
        lines += config.disks.map { "  disk: \($0)" + ($0.format.map { " (\($0.rawValue))" } ?? "") }
        if let cdrom = config.cdrom { lines.append("  cdrom: \(cdrom.prefix(12))") }
        lines += config.nics.map { "  nic: \($0.description)" }
        if let cloudInit = config.cloudInit, cloudInit.hasInput { lines += Self.cloudInitLines(cloudInit, name: config.name) }
        if !instance.nics.isEmpty {
            lines.append("NICs:")
            lines += instance.nics.map(Self.line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The cloud-init settings: the instance-id, hostname, keys (type and comment) and the
    /// user-data's size and first line (not all of it: it may be long, and hold secrets).
    static func cloudInitLines(_ settings: CloudInitSettings, name: String) -> [String] {
        var lines = [
            "  cloud-init:", "    instance-id: \(settings.instanceID(for: name))", "    hostname: \(settings.hostname ?? name)",
        ]
        lines += settings.sshKeys.map { key in
            let fields = key.split(separator: " ", maxSplits: 2)
            return "    ssh-key: \(fields.first ?? "")" + (fields.count > 2 ? " \(fields[2])" : "")
        }
        if let userData = settings.userData {
            let first = userData.prefix { !$0.isNewline }
            lines.append("    user-data: \(userData.utf8.count) bytes, \(first)")
        }
        return lines
    }

    /// `  eth0: network lan, MAC 52:54:00:…, reserved 10.1.2.10, leased 10.1.2.10`.
    static func line(_ nic: InstanceNIC) -> String {
        var fields = [nic.network.map { "network \($0)" } ?? "\(nic.mode.rawValue) networking"]
        if let mac = nic.mac { fields.append("MAC \(mac)") }
        if nic.mode == .network {
            fields.append("reserved \(nic.ip.map(\.description) ?? "-")")
            fields.append("leased \(nic.addresses.isEmpty ? "-" : nic.addresses.map(\.description).joined(separator: ","))")
        }
        return "  \(nic.name): " + fields.joined(separator: ", ")
    }
}
