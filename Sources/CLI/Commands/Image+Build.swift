import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

extension ImageCommand {
    /// `joist image build DISTRIBUTION [--arch amd64] [--size 8GiB] [--alias NAME] [--force] [--async]`
    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "build",
            abstract: "Build a bootable cloud image from Debian packages.",
            discussion: """
                joistd (as root) installs the distribution with debootstrap from the host's own Debian mirror \
                (its apt sources): the cloud kernel, cloud-init reading a NoCloud seed, the QEMU guest agent, \
                OpenSSH and a serial console; then makes a disk with GRUB for BIOS and stores it as a qcow2 image. \
                Building again with the same inputs returns the image built before at once; --force builds anew \
                (and moves the alias to the new image). Ctrl-C cancels the build, leaving nothing behind. \
                Known distributions: debian-12.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "What to build: debian-12.") var distribution: String
        @Option(help: "CPU architecture: amd64 (the only one for now).") var arch: String?
        @Option(help: "The image's disk size (default 8GiB; instances may grow their root disks beyond it).") var size: String?
        @Option(help: "A name for the image (default: the distribution's name).") var alias: String?
        @Flag(help: "Build even when an image of the same inputs exists.") var force = false
        @OptionGroup var wait: WaitOptions

        func run() async throws {
            let size = try self.size.map { try ByteSize(parsing: $0) }
            let body = ImageBuild(distribution: distribution, arch: arch, size: size, alias: alias, force: force ? true : nil)
            let client = global.client()
            guard wait.shouldWait else {
                print(try await client.call(.POST, "/1.0/images/build", body: body, as: JoistAPI.Operation.self).id)
                return
            }
            let done = try await InterruptCancellation.during(client) { interrupts in
                try await interrupts.follow(try await client.call(.POST, "/1.0/images/build", body: body, as: JoistAPI.Operation.self))
            }
            print(Self.summary(done))
        }

        /// `Built image 3f2a9c1e0b4d (build-…, debian-12)`, or that it was built before.
        static func summary(_ operation: JoistAPI.Operation) -> String {
            let fingerprint = String((operation.result?["fingerprint"] ?? "").prefix(12))
            let aliases = (operation.result?["aliases"] ?? "").split(separator: ",").filter { !$0.hasPrefix("build-") }.joined(separator: ", ")
            let names = aliases.isEmpty ? "" : " (\(aliases))"
            guard operation.result?["cached"] == "true" else { return "Built image \(fingerprint)\(names)" }
            return "Image \(fingerprint)\(names) was built from the same inputs before: nothing built (--force builds anew)"
        }
    }
}
