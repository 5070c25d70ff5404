import JoistCore

extension InstanceSupervisor {
    /// Stores `nics` as the instance's NICs: the same NICs with the addresses the daemon filled in.
    func storeNICs(_ nics: [NICSpec]) async throws {
        try await operations.withLock { try await self.performStoreNICs(nics) }
    }

    private func performStoreNICs(_ nics: [NICSpec]) async throws {
        try ensureExists()
        let previous = record.spec
        record.spec.nics = nics
        do {
            try await persist()
        } catch {
            record.spec = previous
            throw error
        }
    }
}
