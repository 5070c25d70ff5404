import ArgumentParser
import Foundation
import JoistAPI

/// `joist monitor [--type lifecycle,operation,audit] [--format pretty|json|yaml]`: the event stream, live.
struct Monitor: AsyncParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case pretty, json, yaml }

    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Print events as they happen: lifecycle changes, operation progress, audit entries.",
        discussion: "Runs until interrupted. Without --project, an unrestricted caller sees every project.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Event types, comma-separated: lifecycle, operation, audit (audit needs admin).") var type: String?
    @Option(help: "Output format: pretty (one line per event), json (one object per line) or yaml.") var format: Format = .pretty

    func run() async throws {
        var query: [String] = []
        if let type { query.append("type=\(APIClient.queryValue(type))") }
        if let project = global.projectName { query.append("project=\(APIClient.queryValue(project))") }
        let path = "/1.0/events" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        let decoder = APICoding.decoder()
        try await global.client().withWebSocket(path: path) { connection in
            for try await message in connection.textMessages {
                guard let event = try? decoder.decode(Event.self, from: Data(message.utf8)) else { continue }
                let text: String
                switch format {
                case .json: text = String(decoding: try APICoding.encoder().encode(event), as: UTF8.self) + "\n"
                case .yaml: text = "---\n" + (try OutputFormat.structured(event, as: .yaml))
                case .pretty: text = Self.line(event) + "\n"
                }
                // Unbuffered, so a pipe or file sees each event as it happens.
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        }
    }

    /// `2026-11-22T10:00:00Z lifecycle default web-1 instance-state-changed stopped → starting`
    static func line(_ event: Event) -> String {
        let head = "\(event.timestamp.formatted(.iso8601)) \(event.type.rawValue) \(event.project ?? "-")"
        if let lifecycle = event.lifecycle {
            var text = "\(head) \(lifecycle.name) \(lifecycle.action)"
            if let state = lifecycle.state { text += " \(lifecycle.previousState.map { "\($0) → " } ?? "")\(state)" }
            return text
        }
        if let operation = event.operation {
            return "\(head) \(operation.id) \(operation.status.rawValue) \(OperationWaiter.line(operation))"
        }
        if let audit = event.audit {
            return "\(head) \(audit.actor) \(audit.action) \(audit.target ?? "-") \(audit.outcome.rawValue) \(audit.status)"
        }
        return head
    }
}
