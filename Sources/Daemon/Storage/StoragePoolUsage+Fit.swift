public import JoistAPI
import JoistCore

extension StoragePoolUsage {
    /// Why `size` more bytes of virtual size do not fit in the pool, or nil when they do.
    ///
    /// Without `overcommit`, every volume must still be able to be fully written: the new size plus
    /// what the existing volumes have yet to write (`allocated − used`) must fit in `free`. With
    /// `overcommit` = r, the virtual sizes together may reach r × capacity (thin provisioning).
    public func refusal(adding size: UInt64, pool: String, overcommit: Double?) -> String? {
        let needs = ByteSize(bytes: size).approximate
        if let ratio = overcommit {
            let limit = Double(capacity) * ratio
            guard Double(allocated) + Double(size) > limit else { return nil }
            return "pool \(pool) allows \(ByteSize(bytes: UInt64(limit)).approximate) of volumes (\(Self.ratio(ratio)) × "
                + "\(ByteSize(bytes: capacity).approximate)) and already holds \(ByteSize(bytes: allocated).approximate), "
                + "the volume needs \(needs)"
        }
        let unwritten = allocated > used ? allocated - used : 0
        let available = free > unwritten ? free - unwritten : 0
        guard size > available else { return nil }
        let caveat = unwritten > 0 ? " once its volumes are fully written" : ""
        return "pool \(pool) has \(ByteSize(bytes: available).approximate) free\(caveat), the volume needs \(needs)"
    }

    /// `1.5`, `2`: the ratio as written, without a needless `.0`.
    private static func ratio(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
