public import JoistCore

extension MACAddress {
    /// The NIC's default address: QEMU's `52:54:00` prefix and the top 24 bits of the identity's
    /// stable hash (the same bits that start its tap device's name). With `taken` (the addresses
    /// already on the network), a collision is resolved by hashing `IDENTITY#1`, `#2`, … in turn, so
    /// the answer is still a function of its inputs; the caller stores the result.
    public static func stable(for nic: NICIdentity, avoiding taken: Set<MACAddress> = []) -> MACAddress {
        var attempt = 0
        while true {
            let key = attempt == 0 ? nic.description : "\(nic.description)#\(attempt)"
            let address = MACAddress(qemuSuffix: UInt32(truncatingIfNeeded: StableHash.fnv1a64(key) >> 40))
            if !taken.contains(address) { return address }
            attempt += 1
        }
    }
}
