import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

extension VolumeCommand {
    /// `joist volume attach INSTANCE POOL/NAME [--bus …] [--cache …] [--discard]`
    struct Attach: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "attach",
            abstract: "Attach a volume to an instance; a running guest sees the new disk at once.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String
        @Argument(help: "The volume, POOL/NAME.") var volume: String
        @Option(help: "Bus: virtio-blk (the default) or virtio-scsi.") var bus: DiskBus?
        @Option(help: "Cache mode: none, writeback, writethrough, directsync or unsafe.") var cache: DiskCache?
        @Flag(help: "Let the guest's discards (TRIM) free space in the volume.") var discard = false

        func run() async throws {
            let reference = try VolumeReference(parsing: volume)
            let disk = DiskSpec(volume: reference, bus: bus, cache: cache, discard: discard ? true : nil)
            let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))/disks")
            _ = try await global.client().call(.POST, path, body: InstanceDiskAttach(disk: disk.description), as: Instance.self)
            print("Attached volume \(reference) to \(instance)")
        }
    }

    /// `joist volume detach INSTANCE POOL/NAME`
    struct Detach: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "detach",
            abstract: "Detach a volume from an instance; a running guest must release the disk first.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String
        @Argument(help: "The volume, POOL/NAME.") var volume: String

        func run() async throws {
            let reference = try VolumeReference(parsing: volume)
            let path = global.scoped(
                "/1.0/instances/\(APIClient.segment(instance))/disks/\(APIClient.segment(reference.pool))/\(APIClient.segment(reference.name))")
            _ = try await global.client().call(.DELETE, path, as: Instance.self)
            print("Detached volume \(reference) from \(instance)")
        }
    }
}

extension DiskBus: ExpressibleByArgument {}
extension DiskCache: ExpressibleByArgument {}
