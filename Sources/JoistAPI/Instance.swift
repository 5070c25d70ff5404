import Foundation
public import JoistCore

/// An instance as the API shows it: its configuration plus what is true right now.
public struct Instance: Codable, Sendable, Equatable {
    public var name: String
    public var project: String
    public var state: InstanceState
    public var config: InstanceSpec
    /// The QEMU process id while one exists.
    public var pid: Int32?
    /// The accelerator QEMU runs with (resolved from `config.accel`), while running.
    public var accelerator: Accelerator?
    public var startedAt: Date?
    public var createdAt: Date
    /// Why the last QEMU process ended, or why the last start failed.
    public var lastExit: ExitRecord?
    /// Each NIC, in the order of `config.nics`, with the addresses its network leased to it.
    public var nics: [InstanceNIC]

    public init(
        name: String, project: String = "default", state: InstanceState, config: InstanceSpec, pid: Int32? = nil,
        accelerator: Accelerator? = nil, startedAt: Date? = nil, createdAt: Date, lastExit: ExitRecord? = nil,
        nics: [InstanceNIC] = []
    ) {
        self.name = name
        self.project = project
        self.state = state
        self.config = config
        self.pid = pid
        self.accelerator = accelerator
        self.startedAt = startedAt
        self.createdAt = createdAt
        self.lastExit = lastExit
        self.nics = nics
    }

    /// The IPv4 addresses leased to the instance's NICs, NIC by NIC, each once.
    public var addresses: [IPv4Address] {
        var seen: Set<IPv4Address> = []
        return nics.flatMap(\.addresses).filter { seen.insert($0).inserted }
    }

    /// Seconds since the guest started, while it has a process.
    public func uptime(now: Date = Date()) -> TimeInterval? {
        guard state.hasProcess, let startedAt else { return nil }
        return max(0, now.timeIntervalSince(startedAt))
    }
}

/// How and when a QEMU process ended.
public struct ExitRecord: Codable, Sendable, Equatable {
    public var at: Date
    public var reason: String

    public init(at: Date, reason: String) {
        self.at = at
        self.reason = reason
    }
}

/// `POST /1.0/instances`: what a user gives to create an instance. Unknown fields are refused.
public struct InstanceCreate: Codable, Sendable, Equatable {
    public var name: String
    /// A kernel to boot directly; without one, the firmware boots from the disks, then the CD-ROM.
    public var kernel: String?
    public var initrd: String?
    public var cmdline: String?
    public var cpus: Int?
    /// A size such as `512MiB`.
    public var memory: String?
    /// Disks: image file paths (the format is detected) or pool volumes, `SOURCE[,option=value…]`.
    public var disks: [String]?
    /// NICs in the CLI form, e.g. `user,hostfwd=tcp:127.0.0.1:2222-:22`.
    public var nics: [String]?
    public var machine: MachineType?
    public var accel: AccelMode?
    /// An image (alias or fingerprint) to launch from: the first disk becomes the volume `NAME-root`,
    /// a copy-on-write clone of the image, made at once whatever the image's size.
    public var image: String?
    /// The storage pool of that root volume (`default` when not given).
    public var pool: String?
    /// The root volume's size, e.g. `10GiB`, when it should be larger than the image.
    public var rootSize: String?
    /// An ISO image (alias or fingerprint) for the CD-ROM drive.
    public var cdrom: String?
    /// What the instance's cloud-init seed is made from; with any of it set, the instance gets a
    /// `cidata` CD-ROM.
    public var cloudInit: InstanceCloudInit?
    /// The graphical display; the machine's default when not given (`std` on q35, `none` on microvm).
    public var display: DisplayMode?

    public init(
        name: String, kernel: String? = nil, initrd: String? = nil, cmdline: String? = nil, cpus: Int? = nil,
        memory: String? = nil, disks: [String]? = nil, nics: [String]? = nil, machine: MachineType? = nil,
        accel: AccelMode? = nil, image: String? = nil, pool: String? = nil, rootSize: String? = nil, cdrom: String? = nil,
        cloudInit: InstanceCloudInit? = nil, display: DisplayMode? = nil
    ) {
        self.name = name
        self.kernel = kernel
        self.initrd = initrd
        self.cmdline = cmdline
        self.cpus = cpus
        self.memory = memory
        self.disks = disks
        self.nics = nics
        self.machine = machine
        self.accel = accel
        self.image = image
        self.pool = pool
        self.rootSize = rootSize
        self.cdrom = cdrom
        self.cloudInit = cloudInit
        self.display = display
    }
}

/// The cloud-init part of `InstanceCreate`.
public struct InstanceCloudInit: Codable, Sendable, Equatable {
    /// `#cloud-config` YAML, a `#!` script, `#cloud-config-archive` or MIME multipart.
    public var userData: String?
    /// SSH public key lines, for the image's default user and the user `joist`.
    public var sshKeys: [String]?
    /// The guest's hostname (an RFC 1123 label); the instance's name when not given.
    public var hostname: String?

    public init(userData: String? = nil, sshKeys: [String]? = nil, hostname: String? = nil) {
        self.userData = userData
        self.sshKeys = sshKeys
        self.hostname = hostname
    }

    /// The settings stored with the instance, or nil when nothing is set.
    public var settings: CloudInitSettings? {
        let settings = CloudInitSettings(userData: userData, sshKeys: sshKeys ?? [], hostname: hostname)
        return settings.hasInput ? settings : nil
    }
}

/// `PUT /1.0/instances/{name}/state`: a lifecycle request.
public struct InstanceStateChange: Codable, Sendable, Equatable {
    public enum Action: String, Codable, Sendable, CaseIterable { case start, stop, restart, pause, resume }

    public var action: Action
    /// For stop and restart: skip the guest agent's shutdown and the ACPI power-down.
    public var force: Bool?
    /// For stop and restart: seconds to wait for the guest to power off before forcing.
    public var timeout: Int?

    public init(action: Action, force: Bool? = nil, timeout: Int? = nil) {
        self.action = action
        self.force = force
        self.timeout = timeout
    }
}

/// `PATCH /1.0/instances/{name}/config`: `key=value` settings applied in order to a stopped instance.
public struct InstanceConfigPatch: Codable, Sendable, Equatable {
    public struct Setting: Codable, Sendable, Equatable {
        public var key: String
        public var value: String
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    public var settings: [Setting]
    public init(settings: [Setting]) { self.settings = settings }
}

/// The body of every error response: `{"error": {"code": "...", "message": "..."}}`.
public struct ErrorResponse: Codable, Sendable, Equatable {
    public struct Body: Codable, Sendable, Equatable {
        public var code: String
        public var message: String

        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    public var error: Body

    public init(code: String, message: String) { self.error = Body(code: code, message: message) }
}

/// Shared JSON coding so daemon and CLI agree on dates and key order.
public enum APICoding {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
