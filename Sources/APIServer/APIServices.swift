import Activity
import Daemon
import Logging

/// Everything the routes act on; one set per daemon, shared by both listeners.
struct APIServices: Sendable {
    var instances: InstanceManager
    var projects: ProjectRegistry
    var storage: StorageManager
    var backupStores: BackupStoreManager
    var networks: NetworkManager
    var images: ImageManager
    var tokens: TokenAuthority
    var operations: OperationManager
    var events: EventBus
    var audit: AuditLog
    /// Host resources and each instance's recent samples.
    var metrics: MetricsSampler
    var logger: Logger
}
