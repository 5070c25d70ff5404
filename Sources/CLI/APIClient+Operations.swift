import Foundation
import JoistAPI
import NIOHTTP1

extension APIClient {
    /// Every item of a paged listing, following `next` cursors.
    func all<Item: Codable & Sendable & Equatable>(_ path: String) async throws -> [Item] {
        var items: [Item] = []
        var cursor: String?
        repeat {
            let separator = path.contains("?") ? "&" : "?"
            let page = try await call(
                .GET, path + separator + "limit=\(Page<Item>.maxLimit)" + (cursor.map { "&after=\(Self.queryValue($0))" } ?? ""),
                as: Page<Item>.self)
            items += page.items
            cursor = page.next
        } while cursor != nil
        return items
    }

    /// Sends a request that answers with an operation and, unless `wait` is false, follows it to its
    /// end (with a progress line on a terminal). Without waiting, prints the operation id.
    @discardableResult
    func runOperation(
        _ method: HTTPMethod, _ path: String, body: (some Encodable)? = Optional<Int>.none, wait: Bool = true
    ) async throws -> JoistAPI.Operation {
        let operation = try await call(method, path, body: body, as: JoistAPI.Operation.self)
        guard wait else {
            print(operation.id)
            return operation
        }
        return try await OperationWaiter(client: self).wait(for: operation)
    }

    /// Percent-encodes a query value.
    static func queryValue(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
