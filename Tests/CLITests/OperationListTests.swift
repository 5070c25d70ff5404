import Testing

@testable import CLI

/// `joist operation list`: the request it sends, with and without a project and a status filter.
@Suite("joist operation list")
struct OperationListTests {
    @Test("the status filter and the project each make a well-formed query, in any combination", arguments: [
        ([], [:], "/1.0/operations"),
        (["--status", "running"], [:], "/1.0/operations?status=running"),
        (["--status", "running,failed"], [:], "/1.0/operations?status=running%2Cfailed"),
        (["--status", "failed", "--project", "team"], [:], "/1.0/operations?status=failed&project=team"),
        (["--project", "team"], [:], "/1.0/operations?project=team"),
        (["--status", "pending"], ["JOIST_PROJECT": "ops"], "/1.0/operations?status=pending&project=ops"),
        (["--status", "a&b=c"], [:], "/1.0/operations?status=a%26b%3Dc"),
    ] as [([String], [String: String], String)])
    func path(arguments: [String], environment: [String: String], expected: String) throws {
        let list = try OperationCommand.List.parse(arguments)
        #expect(list.path(environment: environment) == expected)
    }
}
