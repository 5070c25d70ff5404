import ArgumentParser
import Foundation
import JoistAPI

/// `joist audit [--actor NAME] [--action ACTION] [--outcome …] [--since TIME]`: who changed what.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Show the audit log: every change, who made it and how it ended (admins).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this token name (or 'local').") var actor: String?
    @Option(help: "Only this action, e.g. instance.create.") var action: String?
    @Option(help: "Only succeeded, failed or denied.") var outcome: AuditEntry.Outcome?
    @Option(help: "Only entries at or after this ISO 8601 time.") var since: String?
    @Option(help: "Only entries before this ISO 8601 time.") var until: String?
    @Option(help: "At most this many entries.") var limit: Int = 100
    @Option(help: "Output format: table, json, yaml or csv.") var format: OutputFormat = .table

    func run() async throws {
        var query = ["limit=\(limit)"]
        for (name, value) in [("actor", actor), ("action", action), ("outcome", outcome?.rawValue), ("since", since), ("until", until), ("project", global.project)] {
            if let value { query.append("\(name)=\(APIClient.queryValue(value))") }
        }
        let page = try await global.client().call(.GET, "/1.0/audit?" + query.joined(separator: "&"), as: Page<AuditEntry>.self)
        switch format {
        case .json, .yaml: print(try OutputFormat.structured(page.items, as: format), terminator: "")
        case .table, .csv:
            let table = Table(
                headers: ["ID", "TIME", "ACTOR", "ACTION", "TARGET", "PROJECT", "OUTCOME", "STATUS", "ERROR"],
                rows: page.items.map {
                    [
                        String($0.id), $0.at.formatted(.iso8601), $0.actor, $0.action, $0.target ?? "-", $0.project ?? "-",
                        $0.outcome.rawValue, String($0.status), $0.error ?? "",
                    ]
                })
            print(format == .csv ? table.csv() : table.aligned(), terminator: "")
        }
    }
}

extension AuditEntry.Outcome: ExpressibleByArgument {}
