import Foundation

/// One page of a listing: `items`, and `next` to pass as `after=` for the following page (nil on the last).
public struct Page<Item: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var items: [Item]
    public var next: String?

    public init(items: [Item], next: String? = nil) {
        self.items = items
        self.next = next
    }

    /// The default and largest page sizes every listing accepts (`limit=`).
    public static var defaultLimit: Int { 500 }
    public static var maxLimit: Int { 10_000 }
}

/// A page assembled from items that are already JSON, so a listing does not re-encode every item
/// on every request. The bytes are those `APICoding.encoder()` gives for the `Page` itself.
public enum EncodedPage {
    public static func join(items: [Data], next: String?) -> Data {
        var data = Data()
        data.reserveCapacity(items.reduce(32) { $0 + $1.count + 1 } + (next?.utf8.count ?? 0))
        data.append(contentsOf: #"{"items":["#.utf8)
        for (index, item) in items.enumerated() {
            if index > 0 { data.append(UInt8(ascii: ",")) }
            data.append(item)
        }
        data.append(UInt8(ascii: "]"))
        if let next {
            data.append(contentsOf: #","next":"#.utf8)
            // A name is validated, but encode it anyway so the bytes stay JSON whatever it holds.
            data.append((try? APICoding.encoder().encode(next)) ?? Data(#""""#.utf8))
        }
        data.append(UInt8(ascii: "}"))
        return data
    }
}
