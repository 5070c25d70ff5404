public import JoistCore
public import QMP

/// Plugs NICs into a running guest and takes them out, over its QMP connection: finds a free root
/// port, then runs the `NICHotplugPlan` steps. The tap device of a network NIC must exist before
/// `attach` and may be removed after `detach`.
///
/// Errors are `JoistError`s that name the NIC: `unsupported` when the machine cannot take it,
/// `timeout` when the guest does not release an unplugged NIC, `hostFailure` when QEMU refuses.
public struct NICHotplugger: Sendable {
    public let qmp: QMPClient
    public let machine: MachineType
    /// How long the guest has to release a NIC being unplugged (it must acknowledge the unplug).
    public var unplugTimeout: Duration

    public init(qmp: QMPClient, machine: MachineType, unplugTimeout: Duration = .seconds(30)) {
        self.qmp = qmp
        self.machine = machine
        self.unplugTimeout = unplugTimeout
    }

    /// Plugs `nic` into the guest behind its first free root port. When a step fails, the steps done
    /// before it are taken back, so a failed attach leaves no half-plugged NIC behind.
    public func attach(_ nic: AttachedNIC) async throws {
        let what = "cannot attach \(nic)"
        do {
            let ports = machine == .q35 ? DiskHotplugPlan.freeRootPorts(in: try await qmp.queryPCI()) : []
            let port = try NICHotplugPlan.rootPort(for: nic, machine: machine, freeRootPorts: ports)
            try await runner.attach(NICHotplugPlan.attach(nic, machine: machine, rootPort: port))
        } catch {
            throw runner.failure(error, what)
        }
    }

    /// Unplugs `nic` and closes its backend once the guest has let go of it.
    ///
    /// A NIC whose device is gone but whose backend is left (a detach that timed out, repeated once
    /// the guest caught up) is finished off.
    ///
    /// - Throws: `notFound` when QEMU has neither the device nor the backend: the NIC is not
    ///   attached to this guest.
    public func detach(_ nic: AttachedNIC) async throws {
        do {
            let devices = try await qmp.qomList(path: "/machine/peripheral").map(\.name)
            if devices.contains(nic.deviceID) {
                try await runner.run(NICHotplugPlan.detach(nic), toleratingMissing: true)
                return
            }
            do {
                try await qmp.netdevDel(id: nic.netdevID)
            } catch QMPError.commandFailed(class: "DeviceNotFound", _) {
                throw JoistError.notFound("it is not attached to the running guest")
            }
        } catch {
            throw runner.failure(error, "cannot detach \(nic)")
        }
    }

    private var runner: HotplugRunner { HotplugRunner(qmp: qmp, unplugTimeout: unplugTimeout) }
}
