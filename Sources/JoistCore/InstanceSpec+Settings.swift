import Foundation

extension InstanceSpec {
    /// Keys `joist config set` accepts, with what each means.
    public static let settableKeys: [(key: String, help: String)] = [
        ("cpus", "number of virtual CPUs"),
        ("memory", "guest RAM, e.g. 512MiB or 2GiB"),
        ("cmdline", "kernel command line"),
        ("kernel", "absolute path of the kernel image (empty to boot from disk through the firmware)"),
        ("initrd", "absolute path of the initramfs (empty to remove)"),
        ("machine", "q35 or microvm"),
        ("accel", "auto, kvm or tcg"),
        ("display", "std (a VGA card, seen over VNC) or none (empty: the machine's default, std on q35, none on microvm)"),
        ("cdrom", "ISO image (alias or fingerprint) in the CD-ROM drive (empty to eject)"),
        ("cloud-init.user-data", "cloud-init user-data (the CLI reads @FILE; empty to remove)"),
        ("cloud-init.hostname", "the guest's hostname set by cloud-init (empty: the instance's name)"),
        ("cloud-init.ssh-keys", "SSH public keys for the guest, one per line (empty to remove)"),
        ("cloud-init.reapply", "true: a new instance-id, so the next boot applies cloud-init again"),
    ]

    /// Keys whose values name files on joistd's host (an empty value removes the file, naming none).
    public static let hostFileKeys: Set<String> = ["kernel", "initrd"]

    /// Returns a copy with `key=value` settings applied, refusing unknown keys and malformed values.
    ///
    /// Range checks against the host happen in `validate(host:fileExists:)`, which callers run after.
    public func applying(_ settings: [(key: String, value: String)]) throws(JoistError) -> InstanceSpec {
        var spec = self
        for (key, value) in settings {
            switch key {
            case "cpus":
                guard let n = Int(value) else { throw .invalidArgument("cpus must be a whole number (got '\(value)')") }
                spec.cpus = n
            case "memory":
                spec.memory = try ByteSize(parsing: value)
            case "cmdline":
                spec.cmdline = value
            case "kernel":
                spec.kernel = value.isEmpty ? nil : value
            case "initrd":
                spec.initrd = value.isEmpty ? nil : value
            case "cdrom":
                spec.cdrom = value.isEmpty ? nil : value
            case "machine":
                guard let machine = MachineType(rawValue: value) else {
                    throw .invalidArgument("machine must be one of \(MachineType.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(value)')")
                }
                spec.machine = machine
            case "accel":
                guard let accel = AccelMode(rawValue: value) else {
                    throw .invalidArgument("accel must be one of \(AccelMode.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(value)')")
                }
                spec.accel = accel
            case "display":
                guard value.isEmpty || DisplayMode(rawValue: value) != nil else {
                    throw .invalidArgument("display must be one of \(DisplayMode.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(value)')")
                }
                spec.display = DisplayMode(rawValue: value)
            case _ where key.hasPrefix(Self.cloudInitPrefix):
                spec.cloudInit = try Self.applying(cloudInit: key, value, to: spec.cloudInit ?? CloudInitSettings())
            default:
                let known = Self.settableKeys.map(\.key).joined(separator: ", ")
                throw .invalidArgument("unknown config key '\(key)'; settable keys: \(known)")
            }
        }
        return spec
    }

    static let cloudInitPrefix = "cloud-init."

    /// One `cloud-init.*` setting applied to `settings`. Changing user-data, keys or hostname keeps
    /// the instance-id (cloud-init will not run per-instance modules again); only `reapply` moves it.
    private static func applying(cloudInit key: String, _ value: String, to settings: CloudInitSettings) throws(JoistError) -> CloudInitSettings {
        var settings = settings
        switch key.dropFirst(cloudInitPrefix.count) {
        case "user-data":
            settings.userData = value.isEmpty ? nil : value
        case "hostname":
            settings.hostname = value.isEmpty ? nil : value
        case "ssh-keys":
            settings.sshKeys = value.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case "reapply":
            guard value == "true" else { throw .invalidArgument("cloud-init.reapply takes only true (got '\(value)')") }
            guard settings.hasInput else {
                throw .invalidArgument("cloud-init.reapply needs cloud-init settings to apply: set cloud-init.user-data, ssh-keys or hostname")
            }
            settings.reapply()
        default:
            let known = settableKeys.map(\.key).filter { $0.hasPrefix(cloudInitPrefix) }.joined(separator: ", ")
            throw .invalidArgument("unknown config key '\(key)'; cloud-init keys: \(known)")
        }
        return settings
    }

    /// Parses `key=value` words as typed on the command line.
    public static func parseSettings(_ words: [String]) throws(JoistError) -> [(key: String, value: String)] {
        var settings: [(key: String, value: String)] = []
        for word in words {
            guard let eq = word.firstIndex(of: "="), eq != word.startIndex else {
                throw .invalidArgument("expected key=value, got '\(word)'")
            }
            settings.append((String(word[..<eq]), String(word[word.index(after: eq)...])))
        }
        return settings
    }
}
