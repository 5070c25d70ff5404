import Foundation
import JoistAPI
import JoistCore
import Networking
import Testing

/// A Swift value of a wire type and the schema in `openapi.yaml` it must match once encoded.
struct WireSample: Sendable, CustomTestStringConvertible {
    let label: String
    let schema: String
    let encode: @Sendable () throws -> Any

    init(_ label: String, _ schema: String, _ value: some Encodable & Sendable) {
        self.label = label
        self.schema = schema
        self.encode = { try Spec.json(value) }
    }

    var testDescription: String { "\(label) as \(schema)" }
}

/// Realistic values of every wire type: once with every optional set, once with none, and every enum case.
enum WireSamples {
    static let date = Date(timeIntervalSince1970: 1_760_000_000)
    static let operationID = "3f2c8a9e-5b1d-4c7e-9a60-2d8e4f1b7c05"

    // MARK: Instances

    static let fullSpec = InstanceSpec(
        name: "web-1", kernel: "/var/lib/joist/images/vmlinuz", initrd: "/var/lib/joist/images/initrd.img",
        cmdline: "console=ttyS0 root=/dev/vda rw", cpus: 2, memory: .gibibytes(2),
        disks: [DiskSpec(path: "/var/lib/joist/disks/web-1.qcow2", format: .qcow2), DiskSpec(path: "/srv/data.img", format: .raw)],
        nics: [NICSpec(hostForwards: [
            HostForward(proto: .tcp, hostAddress: "127.0.0.1", hostPort: 2222, guestPort: 22),
            HostForward(proto: .udp, hostAddress: "", hostPort: 5353, guestAddress: "10.0.2.15", guestPort: 53),
        ]), NICSpec(), numberedNIC],
        machine: .microvm, accel: .kvm, cdrom: String(repeating: "5e", count: 32),
        cloudInit: CloudInitSettings(userData: "#cloud-config\nruncmd: [[touch, /m]]\n", sshKeys: [sshKey], hostname: "web", generation: 2),
        display: DisplayMode.none)
    static let sshKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIINe4rce216ByVBjT6E9ANJ+XMdMlO5X8x940i5+Cd4l me@laptop"
    static let minimalSpec = InstanceSpec(name: "w")
    static let numberedNIC = {
        var nic = NICSpec(network: "web", mac: MACAddress(qemuSuffix: 0x0e_f0e0), ip: IPv4Address(10, 1, 2, 10))
        nic.id = 2
        return nic
    }()

    static let fullInstance = Instance(
        name: "web-1", project: "team-a", state: .running, config: fullSpec, pid: 4242, accelerator: .kvm, startedAt: date,
        createdAt: date, lastExit: ExitRecord(at: date, reason: "guest powered off"), nics: [fullNIC, userNIC])
    static let fullNIC = InstanceNIC(
        name: "eth2", mode: .network, network: "web", mac: MACAddress(qemuSuffix: 0x0e_f0e0), ip: IPv4Address(10, 1, 2, 10),
        addresses: [IPv4Address(10, 1, 2, 10), IPv4Address(10, 1, 2, 57)])
    static let userNIC = InstanceNIC(name: "eth0", mode: .user)
    static let minimalInstance = Instance(name: "w", state: .stopped, config: minimalSpec, createdAt: date)

    static let fullCreate = InstanceCreate(
        name: "web-1", kernel: "/k", initrd: "/i", cmdline: "console=ttyS0", cpus: 2, memory: "512MiB",
        disks: ["/d.qcow2"],
        nics: [
            "user,hostfwd=tcp:127.0.0.1:2222-:22", "user", "network=web,mac=52:54:00:0e:f0:e0,ip=10.1.2.10", "network=db",
            "network=lan,vlan=10", "network=dmz,tagged=10:20",
        ],
        machine: .q35, accel: .tcg,
        image: "debian-12", pool: "fast", rootSize: "10GiB", cdrom: "installer",
        cloudInit: InstanceCloudInit(userData: "#!/bin/sh\ntouch /m\n", sshKeys: [sshKey], hostname: "web1"), display: .std)

    static let configPatch = InstanceConfigPatch(settings: InstanceSpec.settableKeys.map {
        .init(key: $0.key, value: $0.key == "cpus" ? "2" : "x")
    })

    // MARK: Operations and events

    static let fullOperation = JoistAPI.Operation(
        id: operationID, action: "instance.start", description: "Starting instance web-1", project: "default",
        resources: ["/1.0/instances/web-1"], status: .failed,
        progress: OperationProgress(done: 3, total: 5, unit: "steps", stage: "waiting for QMP"),
        mayCancel: true, requestedBy: "ci-bot", createdAt: date, updatedAt: date,
        error: ErrorResponse(code: "host_failure", message: "QEMU exited at once").error,
        result: ["instance": "web-1"])
    static let minimalOperation = JoistAPI.Operation(
        id: operationID, action: "instance.stop", description: "Stopping instance web-1", project: "default",
        resources: [], status: .pending, mayCancel: false, requestedBy: "local", createdAt: date, updatedAt: date)

    static let fullLifecycle = LifecycleEvent(
        action: "instance-state-changed", source: "/1.0/instances/web-1", name: "web-1",
        previousState: "running", state: "stopped", reason: "guest powered off")
    static let minimalLifecycle = LifecycleEvent(action: "instance-created", source: "/1.0/instances/web-1", name: "web-1")

    static let fullAudit = AuditEntry(
        id: 17, at: date, actor: "ci-bot", role: "operator", project: "team-a", action: "instance.create",
        target: "web-1", method: "POST", path: "/1.0/instances", status: 403, outcome: .denied,
        error: "token ci-bot may not act in project team-b")
    static let minimalAudit = AuditEntry(
        id: 1, at: date, actor: "local", role: "admin", project: nil, action: "token.create", target: nil,
        method: "POST", path: "/1.0/tokens", status: 201, outcome: .succeeded)

    // MARK: Projects and tokens

    static let fullLimits = ProjectLimits(instances: 10, cpus: 16, memory: .gibibytes(32), disk: ByteSize(bytes: 1_000), networks: 2)
    static let fullProject = Project(name: "team-a", description: "Team A's machines", limits: fullLimits, createdAt: date)
    static let usage = ProjectUsage(instances: 2, cpus: 3, memory: .mebibytes(1536), disk: .gibibytes(20), networks: 0)
    static let fullProjectInfo = ProjectInfo(project: fullProject, usage: usage)
    static let minimalProjectInfo = ProjectInfo(project: Project(name: "default", createdAt: date), usage: ProjectUsage())

    static let fullToken = Token(
        id: "a1b2c3d4", name: "ci-bot", role: .operator, project: "team-a", createdAt: date,
        expiresAt: date.addingTimeInterval(86_400 * 30), createdBy: "local")
    static let minimalToken = Token(id: "e5f6", name: "admin-1", role: .admin, project: nil, createdAt: date, expiresAt: nil, createdBy: "local")

    /// Every sample, each paired with its schema.
    static let all: [WireSample] = instances + operations + events + projects + tokens + pages + parts + enums + StorageSamples.all
        + BackupSamples.all + ImageSamples.all + VolumeTransferSamples.all + NetworkSamples.all + NetworkForwardSamples.all
        + SnapshotSamples.all + BackupRetentionSamples.all + GuestAgentSamples.all + MetricsSamples.all

    static let instances: [WireSample] = [
        WireSample("full instance", "Instance", fullInstance),
        WireSample("minimal instance", "Instance", minimalInstance),
        WireSample("full spec", "InstanceSpec", fullSpec),
        WireSample("minimal spec", "InstanceSpec", minimalSpec),
        WireSample("spec with a display", "InstanceSpec", InstanceSpec(name: "w", display: .std)),
        WireSample("exit record", "ExitRecord", ExitRecord(at: date, reason: "killed by signal 9")),
        WireSample("full create", "InstanceCreate", fullCreate),
        WireSample("minimal create", "InstanceCreate", InstanceCreate(name: "w")),
        WireSample("create with only a hostname for cloud-init", "InstanceCreate", InstanceCreate(name: "w", cloudInit: InstanceCloudInit(hostname: "w"))),
        WireSample("full create cloud-init", "InstanceCloudInit", fullCreate.cloudInit),
        WireSample("cloud-init settings", "CloudInitSettings", fullSpec.cloudInit),
        WireSample("cloud-init settings with keys only", "CloudInitSettings", CloudInitSettings(sshKeys: [sshKey])),
        WireSample("full state change", "InstanceStateChange", InstanceStateChange(action: .stop, force: true, timeout: 0)),
        WireSample("config patch", "InstanceConfigPatch", configPatch),
        WireSample("empty config patch", "InstanceConfigPatch", InstanceConfigPatch(settings: [])),
        WireSample("publish", "InstancePublish", InstancePublish(alias: "golden")),
        WireSample("disk attach", "InstanceDiskAttach", InstanceDiskAttach(disk: "default/data,bus=virtio-scsi,cache=none,discard=on")),
        WireSample("NIC add", "InstanceNICAdd", InstanceNICAdd(nic: "network=lan,mac=52:54:00:0e:f0:e0,ip=10.1.2.10")),
        WireSample("full NIC", "InstanceNIC", fullNIC),
        WireSample("user NIC", "InstanceNIC", userNIC),
        WireSample("config setting", "InstanceConfigSetting", InstanceConfigPatch.Setting(key: "memory", value: "1GiB")),
    ] + InstanceState.allCases.map { WireSample("instance \($0)", "Instance", Instance(name: "w", state: $0, config: minimalSpec, createdAt: date)) }
        + InstanceStateChange.Action.allCases.map { WireSample("\($0) request", "InstanceStateChange", InstanceStateChange(action: $0)) }

    static let operations: [WireSample] = [
        WireSample("full operation", "Operation", fullOperation),
        WireSample("minimal operation", "Operation", minimalOperation),
        WireSample("full progress", "OperationProgress", OperationProgress(done: 1 << 30, total: 1 << 32, unit: "bytes", stage: "copying")),
        WireSample("minimal progress", "OperationProgress", OperationProgress(done: 0)),
    ] + JoistAPI.Operation.Status.allCases.map { status in
        var operation = minimalOperation
        operation.status = status
        return WireSample("\(status) operation", "Operation", operation)
    }

    static let events: [WireSample] = [
        WireSample("lifecycle event", "Event", Event.lifecycle(fullLifecycle, project: "default", at: date)),
        WireSample("operation event", "Event", Event.operation(fullOperation, at: date)),
        WireSample("audit event", "Event", Event.audit(fullAudit)),
        WireSample("global audit event", "Event", Event.audit(minimalAudit)),
        WireSample("bare event", "Event", Event(type: .lifecycle, timestamp: date, project: nil)),
        WireSample("full lifecycle", "LifecycleEvent", fullLifecycle),
        WireSample("minimal lifecycle", "LifecycleEvent", minimalLifecycle),
        WireSample("full audit entry", "AuditEntry", fullAudit),
        WireSample("minimal audit entry", "AuditEntry", minimalAudit),
    ] + Event.Kind.allCases.map { WireSample("\($0) kind", "EventKind", $0) }
        + AuditEntry.Outcome.allCases.map { outcome in
            var entry = minimalAudit
            entry.outcome = outcome
            return WireSample("\(outcome) audit entry", "AuditEntry", entry)
        }

    static let projects: [WireSample] = [
        WireSample("full project", "Project", fullProject),
        WireSample("minimal project", "Project", Project(name: "default", createdAt: date)),
        WireSample("full limits", "ProjectLimits", fullLimits),
        WireSample("no limits", "ProjectLimits", ProjectLimits()),
        WireSample("usage", "ProjectUsage", usage),
        WireSample("full project info", "ProjectInfo", fullProjectInfo),
        WireSample("minimal project info", "ProjectInfo", minimalProjectInfo),
        WireSample("full project create", "ProjectCreate", ProjectCreate(name: "team-a", description: "Team A", limits: fullLimits)),
        WireSample("minimal project create", "ProjectCreate", ProjectCreate(name: "team-a")),
        WireSample("full project update", "ProjectUpdate", ProjectUpdate(description: "", limits: fullLimits, unset: ProjectLimits.names)),
        WireSample("empty project update", "ProjectUpdate", ProjectUpdate()),
        WireSample("input limits", "ProjectLimitsInput", fullLimits),
    ]

    static let tokens: [WireSample] = [
        WireSample("full token", "Token", fullToken),
        WireSample("minimal token", "Token", minimalToken),
        WireSample("full token create", "TokenCreate", TokenCreate(name: "ci-bot", role: .operator, project: "team-a", expires: "30d")),
        WireSample("minimal token create", "TokenCreate", TokenCreate(name: "ci-bot", role: .viewer)),
        WireSample("token created", "TokenCreated", TokenCreated(token: fullToken, secret: "joist_a1b2c3d4.s3cr3t")),
        WireSample("full server info", "ServerInfo", ServerInfo(
            apiVersion: "1.0", version: "0.4.0", identity: "ci-bot", role: .operator, project: "team-a",
            networkFeatures: HostNetworkFeatures(missing: [.vlanInterfaces: "Error: Unknown device type."]))),
        WireSample("minimal server info", "ServerInfo", ServerInfo(apiVersion: "1.0", version: "0.4.0", identity: "local", role: .admin, project: nil)),
    ] + Role.allCases.flatMap { role in
        [
            WireSample("\(role) token", "Token", Token(id: "x", name: "t", role: role, project: nil, createdAt: date, expiresAt: nil, createdBy: "local")),
            WireSample("\(role) caller", "ServerInfo", ServerInfo(apiVersion: "1.0", version: "0", identity: "t", role: role, project: nil)),
        ]
    }

    static let pages: [WireSample] = [
        WireSample("instance page", "InstancePage", Page(items: [fullInstance, minimalInstance], next: "w")),
        WireSample("last instance page", "InstancePage", Page<Instance>(items: [])),
        WireSample("operation page", "OperationPage", Page(items: [fullOperation, minimalOperation], next: operationID)),
        WireSample("last operation page", "OperationPage", Page<JoistAPI.Operation>(items: [])),
        WireSample("project page", "ProjectInfoPage", Page(items: [fullProjectInfo, minimalProjectInfo], next: "team-a")),
        WireSample("last project page", "ProjectInfoPage", Page<ProjectInfo>(items: [])),
        WireSample("token page", "TokenPage", Page(items: [fullToken, minimalToken], next: "ci-bot")),
        WireSample("last token page", "TokenPage", Page<Token>(items: [])),
        WireSample("audit page", "AuditEntryPage", Page(items: [fullAudit, minimalAudit], next: "17")),
        WireSample("last audit page", "AuditEntryPage", Page<AuditEntry>(items: [])),
    ]

    /// Parts and scalars that have their own schema.
    static let parts: [WireSample] = [
        WireSample("disk", "DiskSpec", DiskSpec(path: "/d.img", format: .raw)),
        WireSample("nic", "NICSpec", NICSpec(hostForwards: [HostForward(proto: .tcp, hostAddress: "", hostPort: 80, guestPort: 8080)])),
        WireSample("bare nic", "NICSpec", NICSpec()),
        WireSample(
            "network nic", "NICSpec", NICSpec(network: "web", mac: MACAddress(qemuSuffix: 0xaa_0002), ip: IPv4Address(192, 168, 7, 20))),
        WireSample("bare network nic", "NICSpec", NICSpec(network: "lan")),
        WireSample("access nic", "NICSpec", NICSpec(network: "lan", vlan: .access(10))),
        WireSample("trunk nic", "NICSpec", NICSpec(network: "lan", vlan: .trunk([1, 20, 4094]))),
        WireSample("forward", "HostForward", HostForward(proto: .udp, hostAddress: "0.0.0.0", hostPort: 65535, guestAddress: "10.0.2.15", guestPort: 1)),
        WireSample("error body", "ErrorBody", ErrorResponse(code: "cancelled", message: "cancelled by ci-bot").error),
        WireSample("name", "Name", "a-63-character-name-" + String(repeating: "x", count: 43)),
        WireSample("operation id", "OperationID", UUID().uuidString.lowercased()),
        WireSample("health", "Health", ["status": "ok"]),
    ] + errorCodes.map { WireSample("\($0) error", "Error", ErrorResponse(code: $0, message: "something went wrong")) }
        + [ByteSize(bytes: 0), ByteSize(bytes: 1_000), .mebibytes(512), .gibibytes(3), ByteSize(bytes: 1 << 40)].flatMap {
            [WireSample("size \($0)", "ByteSize", $0), WireSample("size \($0) given", "ByteSizeInput", $0)]
        }
        + [WireSample("size in bytes", "ByteSizeInput", UInt64(536_870_912))]

    /// Every code of the error table in docs/API.md, and `cancelled` (an operation's error).
    static let errorCodes = [
        "invalid_argument", "unauthenticated", "forbidden", "not_found", "method_not_allowed", "already_exists",
        "invalid_state", "precondition_failed", "too_large", "unsupported", "quota_exceeded", "rate_limited",
        "host_failure", "internal", "timeout", "cancelled",
    ]

    static let enums: [WireSample] =
        InstanceState.allCases.map { WireSample("\($0)", "InstanceState", $0) }
        + MachineType.allCases.map { WireSample("\($0)", "MachineType", $0) }
        + AccelMode.allCases.map { WireSample("\($0)", "AccelMode", $0) }
        + DisplayMode.allCases.map { WireSample("\($0) display", "DisplayMode", $0) }
        + [Accelerator.kvm, .tcg].map { WireSample("\($0)", "Accelerator", $0) }
        + DiskFormat.allCases.map { WireSample("\($0)", "DiskFormat", $0) }
        + JoistAPI.Operation.Status.allCases.map { WireSample("\($0)", "OperationStatus", $0) }
        + AuditEntry.Outcome.allCases.map { WireSample("\($0)", "AuditOutcome", $0) }
        + Role.allCases.map { WireSample("\($0)", "Role", $0) }
}
