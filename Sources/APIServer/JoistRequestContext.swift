import Hummingbird
import HummingbirdWebSocket
import NIOCore
import Synchronization

/// The per-request context of both listeners: Hummingbird's core storage, the WebSocket upgrade
/// slot, and the peer's address (for throttling failed authentications).
struct JoistRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    /// The client's IP address on TCP; nil on the Unix socket.
    let remoteAddress: String?
    /// What a handler tells the audit log beyond the path, e.g. the name a create request carried.
    let auditNote = AuditNote()
    /// What a WebSocket route's checks decided before the upgrade, for its session (see `WebSocketRefusal`).
    let upgrade = UpgradeDecision()

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Request bodies are small JSON documents; anything larger is refused with 413.
    var maxUploadSize: Int { APIServer.maxBodySize }
}

/// A per-request note from the handler to the audit entry written after it.
final class AuditNote: Sendable {
    private let value = Mutex<String?>(nil)

    /// The resource the request is about, when the path does not name it (creates).
    var target: String? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
