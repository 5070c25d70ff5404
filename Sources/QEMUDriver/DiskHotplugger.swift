public import JoistCore
public import QMP

/// Plugs disks into a running guest, takes them out and resizes them, over its QMP connection: finds
/// where a disk can go, then runs the `DiskHotplugPlan` steps.
///
/// Errors are `JoistError`s that name the disk: `unsupported` when the machine cannot take it,
/// `timeout` when the guest does not release an unplugged disk, `hostFailure` when QEMU refuses.
public struct DiskHotplugger: Sendable {
    public let qmp: QMPClient
    public let machine: MachineType
    /// How long the guest has to release a device being unplugged (it must acknowledge the unplug).
    public var unplugTimeout: Duration

    public init(qmp: QMPClient, machine: MachineType, unplugTimeout: Duration = .seconds(30)) {
        self.qmp = qmp
        self.machine = machine
        self.unplugTimeout = unplugTimeout
    }

    /// Plugs `disk` into the guest. When a step fails, the steps done before it are taken back, so a
    /// failed attach leaves no half-plugged disk behind.
    public func attach(_ disk: AttachedDisk) async throws {
        let placement = try await placement(for: disk)
        do {
            try await runner.attach(DiskHotplugPlan.attach(disk, machine: machine, at: placement))
        } catch {
            throw runner.failure(error, "cannot attach disk \(disk.source)")
        }
    }

    /// Unplugs `disk` and closes its image once the guest has let go of it.
    ///
    /// A disk whose device is gone but whose nodes are left (a detach that timed out, repeated once
    /// the guest caught up) is finished off.
    ///
    /// - Throws: `notFound` when QEMU has no node of the disk: it is not attached to this guest.
    public func detach(_ disk: DiskSpec) async throws {
        let names = DiskNames(for: disk.source)
        do {
            let nodes = try await qmp.queryNamedBlockNodes().map(\.nodeName)
            guard nodes.contains(names.node) || nodes.contains(names.fileNode) else {
                throw JoistError.notFound("it is not attached to the running guest")
            }
            try await runner.run(DiskHotplugPlan.detach(names), toleratingMissing: true)
        } catch {
            throw runner.failure(error, "cannot detach disk \(disk.source)")
        }
    }

    /// Resizes the image under a running disk to `size`; the guest sees the new size at once.
    public func resize(_ disk: DiskSpec, to size: ByteSize) async throws {
        do {
            try await qmp.blockResize(nodeName: DiskNames(for: disk.source).node, size: Int64(clamping: size.bytes))
        } catch {
            throw runner.failure(error, "cannot resize disk \(disk.source) to \(size)")
        }
    }

    /// Where `disk` can go in the guest as it is now.
    func placement(for disk: AttachedDisk) async throws -> DiskPlacement {
        do {
            var hasSCSIController = false
            if disk.bus == .virtioSCSI {
                let devices = try await qmp.qomList(path: "/machine/peripheral")
                hasSCSIController = devices.contains { $0.name == DiskLayout.scsiController }
            }
            let freePorts = machine == .q35 ? DiskHotplugPlan.freeRootPorts(in: try await qmp.queryPCI()) : []
            return try DiskHotplugPlan.placement(
                for: disk, machine: machine, freeRootPorts: freePorts, hasSCSIController: hasSCSIController)
        } catch let error as JoistError {
            throw JoistError(error.code, "cannot attach disk \(disk.source): \(error.message)")
        } catch {
            throw runner.failure(error, "cannot attach disk \(disk.source)")
        }
    }

    private var runner: HotplugRunner { HotplugRunner(qmp: qmp, unplugTimeout: unplugTimeout) }
}
