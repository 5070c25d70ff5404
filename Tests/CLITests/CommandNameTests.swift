import ArgumentParser
import Testing

@testable import CLI

/// Every command names itself: without `commandName`, ArgumentParser derives the name with
/// `String(describing:)` on the type, which searches the binary's protocol conformances on every
/// invocation and made up about half of the CLI's start-up time.
@Suite("joist command names")
struct CommandNameTests {
    /// Every command type in `joist`'s tree, with the names leading to it (`network forward add`).
    static func commands(
        under command: any ParsableCommand.Type = JoistCommand.self, path: [String] = []
    ) -> [(path: [String], type: any ParsableCommand.Type)] {
        let name = command.configuration.commandName ?? "<\(command)>"
        let here = path + [name]
        return [(here, command)] + command.configuration.subcommands.flatMap { Self.commands(under: $0, path: here) }
    }

    @Test("every command has an explicit commandName")
    func explicitNames() {
        let all = Self.commands()
        #expect(all.count > 60)
        let unnamed = all.filter { $0.type.configuration.commandName == nil }.map { $0.path.joined(separator: " ") }
        #expect(unnamed.isEmpty, "give these commands an explicit commandName: \(unnamed)")
    }

    @Test("no two subcommands of a command share a name")
    func uniqueNames() {
        for (path, type) in Self.commands() {
            let siblings = type.configuration.subcommands.compactMap { $0.configuration.commandName }
            #expect(Set(siblings).count == siblings.count, "duplicate subcommand names under \(path.joined(separator: " "))")
        }
    }
}
