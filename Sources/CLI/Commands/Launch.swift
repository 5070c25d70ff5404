import ArgumentParser
import JoistAPI

/// `joist launch IMAGE NAME …`: create an instance whose root disk is a copy-on-write clone of an
/// image, and start it.
struct Launch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch",
        abstract: "Create an instance from an image and start it.",
        discussion: """
            The first disk is a new volume NAME-root in the storage pool, a copy-on-write clone of the image: \
            made at once whatever the image's size, and the image is never written. Deleting the instance \
            deletes NAME-root too (detach it first to keep it). Without --kernel the firmware boots the disk. \
            --ssh-key, --user-data and --hostname give the guest a cloud-init NoCloud seed (a cidata CD-ROM).
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Image alias or fingerprint (see `joist image list`).") var image: String
    @Argument(help: "Instance name: letters, digits and '-', starting with a letter.") var name: String
    @Option(help: "Kernel image to boot directly (default: the firmware boots the root disk).") var kernel: String?
    @Option(help: "Storage pool of the root volume (default: default).") var storage: String?
    @Option(help: "Size of the root volume when it should exceed the image's, e.g. 10GiB.") var rootSize: String?
    @Option(help: "The same as --root-size.") var diskSize: String?
    @OptionGroup var options: InstanceOptions
    @Flag(help: "Create the instance without starting it.") var noStart = false

    func run() async throws {
        guard rootSize == nil || diskSize == nil else { throw ValidationError("give --root-size or --disk-size, not both") }
        var request = try options.request(name: name, kernel: kernel)
        request.image = image
        request.pool = storage
        request.rootSize = rootSize ?? diskSize
        let client = global.client()
        _ = try await client.call(.POST, global.scoped("/1.0/instances"), body: request, as: Instance.self)
        if !noStart { try await client.start(name, global: global) }
    }
}
