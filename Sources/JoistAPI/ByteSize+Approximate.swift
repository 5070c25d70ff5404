public import JoistCore

extension ByteSize {
    /// The size rounded for people, in the largest binary unit it reaches: `512B`, `3.1GiB`, `20GiB`.
    /// One decimal below ten units, none above (unlike `description`, which is exact).
    public var approximate: String {
        let units: [(String, UInt64)] = [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        guard let (suffix, factor) = units.first(where: { bytes >= $0.1 }) else { return "\(bytes)B" }
        let value = Double(bytes) / Double(factor)
        if value >= 9.95 { return "\(Int((value).rounded()))\(suffix)" }
        let tenths = Int((value * 10).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10)\(suffix)" : "\(tenths / 10).\(tenths % 10)\(suffix)"
    }
}
