import Foundation
import Hummingbird
import JoistAPI
import JoistCore

/// Typed, validated query parameters.
enum Query {
    static func bool(_ request: Request, _ name: String) throws(JoistError) -> Bool? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        switch text {
        case "true", "1": return true
        case "false", "0": return false
        default: throw .invalidArgument("query parameter \(name) must be true or false, not '\(text)'")
        }
    }

    static func int(_ request: Request, _ name: String, in range: ClosedRange<Int>) throws(JoistError) -> Int? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .invalidArgument("query parameter \(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    static func date(_ request: Request, _ name: String) throws(JoistError) -> Date? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = ISO8601DateFormatter().date(from: text) ?? fractional.date(from: text) else {
            throw .invalidArgument("query parameter \(name) must be an ISO 8601 time such as 2026-11-22T10:00:00Z, not '\(text)'")
        }
        return date
    }

    /// A comma-separated list of `T`'s raw values.
    static func list<T: RawRepresentable & CaseIterable>(_ request: Request, _ name: String, of type: T.Type) throws(JoistError) -> [T]?
    where T.RawValue == String {
        let allowed = T.allCases
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        var values: [T] = []
        guard !text.isEmpty else { throw .invalidArgument("query parameter \(name) must name at least one of \(allowed.map(\.rawValue).joined(separator: ", "))") }
        for word in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = T(rawValue: String(word)) else {
                throw .invalidArgument("query parameter \(name): '\(word)' is not one of \(allowed.map(\.rawValue).joined(separator: ", "))")
            }
            values.append(value)
        }
        return values
    }
}

/// `?limit=N&after=CURSOR` of a listing.
struct PageRequest {
    var limit: Int
    var after: String?

    init(_ request: Request) throws(JoistError) {
        limit = try Query.int(request, "limit", in: 1...Page<Instance>.maxLimit) ?? Page<Instance>.defaultLimit
        after = request.uri.queryParameters.get("after").map { String($0) }
        if after?.isEmpty == true { throw .invalidArgument("query parameter after must not be empty") }
    }

    /// Pages an already sorted array by a cursor taken from each item.
    func page<Item>(_ items: [Item], cursor: (Item) -> String) -> Page<Item> {
        let start = after.map { after in items.firstIndex { cursor($0) > after } ?? items.count } ?? 0
        let slice = Array(items[start...].prefix(limit))
        let more = start + slice.count < items.count
        return Page(items: slice, next: more ? slice.last.map(cursor) : nil)
    }
}
