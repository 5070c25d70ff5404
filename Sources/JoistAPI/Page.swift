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
