import ArgumentParser
import Foundation
import JoistAPI

/// `joist operation list|show|wait|cancel`: long actions in progress or recently ended.
struct OperationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operation", abstract: "Follow, wait for or cancel long-running operations.",
        subcommands: [List.self, Show.self, Wait.self, Cancel.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List operations of the project.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only these statuses, comma-separated: pending, running, succeeded, failed, cancelled.") var status: String?
        @Option(help: "Output format: table, json, yaml or csv.") var format: OutputFormat = .table

        func run() async throws {
            let operations: [JoistAPI.Operation] = try await global.client().all(path())
            switch format {
            case .json, .yaml: print(try OutputFormat.structured(operations, as: format), terminator: "")
            case .table, .csv:
                let table = Table(
                    headers: ["ID", "ACTION", "STATUS", "BY", "CREATED", "DESCRIPTION"],
                    rows: operations.map {
                        [$0.id, $0.action, $0.status.rawValue, $0.requestedBy, $0.createdAt.formatted(.iso8601), $0.description]
                    })
                print(format == .csv ? table.csv() : table.aligned(), terminator: "")
            }
        }

        /// `/1.0/operations` with the status filter and the project, each in the query only when given.
        func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
            global.scoped("/1.0/operations" + (status.map { "?status=" + APIClient.queryValue($0) } ?? ""), environment: environment)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one operation.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Operation id.") var id: String
        @Option(help: "Output format: yaml or json.") var format: OutputFormat = .yaml

        func run() async throws {
            let operation = try await global.client().call(.GET, "/1.0/operations/\(APIClient.segment(id))", as: JoistAPI.Operation.self)
            print(try OutputFormat.structured(operation, as: format == .json ? .json : .yaml), terminator: "")
        }
    }

    struct Wait: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "wait", abstract: "Wait for an operation to end; fails if it failed.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Operation id.") var id: String

        func run() async throws {
            let client = global.client()
            let operation = try await client.call(.GET, "/1.0/operations/\(APIClient.segment(id))", as: JoistAPI.Operation.self)
            let done = try await OperationWaiter(client: client).wait(for: operation)
            print("\(done.description): \(done.status.rawValue)")
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Ask a running operation to stop.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Operation id.") var id: String

        func run() async throws {
            try await global.client().send(.DELETE, "/1.0/operations/\(APIClient.segment(id))")
        }
    }
}
