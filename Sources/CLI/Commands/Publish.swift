import ArgumentParser
import JoistAPI

/// `joist publish INSTANCE [--alias NAME]`: a stopped instance's first volume becomes an image.
struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Turn a stopped instance's first volume into an image (a template to launch from).",
        discussion: "The volume is flattened into one standalone qcow2 file (whatever it was cloned from is copied in). Needs an admin token for every project: images are global.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Instance name (stopped).") var instance: String
    @Option(help: "A name for the new image.") var alias: String?

    func run() async throws {
        let client = global.client()
        let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))/publish")
        let done = try await InterruptCancellation.during(client) { interrupts in
            try await interrupts.follow(try await client.call(.POST, path, body: InstancePublish(alias: alias), as: JoistAPI.Operation.self))
        }
        let fingerprint = String((done.result?["fingerprint"] ?? "").prefix(12))
        print("Published \(instance) as image \(fingerprint)" + (alias.map { " (\($0))" } ?? ""))
    }
}
