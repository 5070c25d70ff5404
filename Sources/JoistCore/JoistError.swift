/// The one error type Joist's domain, daemon and CLI share.
///
/// The message reads as a sentence a user can act on ("instance web-1 is already running"); the code
/// classifies it (the API maps it to an HTTP status, the CLI to an exit status).
public struct JoistError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable error class.
    public struct Code: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The request is malformed or a value is out of range.
        public static let invalidArgument = Code(rawValue: "invalid_argument")
        /// The named resource does not exist.
        public static let notFound = Code(rawValue: "not_found")
        /// A resource with that name exists already.
        public static let alreadyExists = Code(rawValue: "already_exists")
        /// The resource is in a state that does not allow the request (e.g. deleting a running instance).
        public static let invalidState = Code(rawValue: "invalid_state")
        /// The host or backend lacks the capability.
        public static let unsupported = Code(rawValue: "unsupported")
        /// An operation did not finish in time.
        public static let timeout = Code(rawValue: "timeout")
        /// A host component failed (QEMU would not start, a file could not be written).
        public static let hostFailure = Code(rawValue: "host_failure")
        /// No valid credentials: a missing, unknown, expired or revoked token.
        public static let unauthenticated = Code(rawValue: "unauthenticated")
        /// The credentials are valid but their role or project does not allow the request.
        public static let forbidden = Code(rawValue: "forbidden")
        /// An update named a revision (`If-Match`) that is no longer current.
        public static let preconditionFailed = Code(rawValue: "precondition_failed")
        /// A request body is larger than the API accepts.
        public static let tooLarge = Code(rawValue: "too_large")
        /// The project's limits would be exceeded.
        public static let quotaExceeded = Code(rawValue: "quota_exceeded")
        /// Too many requests (e.g. failed authentications) from one client.
        public static let rateLimited = Code(rawValue: "rate_limited")
        /// An operation was cancelled before it finished.
        public static let cancelled = Code(rawValue: "cancelled")
        /// A bug: should never reach a user.
        public static let internalError = Code(rawValue: "internal")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func invalidArgument(_ message: String) -> JoistError { .init(.invalidArgument, message) }
    public static func notFound(_ message: String) -> JoistError { .init(.notFound, message) }
    public static func alreadyExists(_ message: String) -> JoistError { .init(.alreadyExists, message) }
    public static func invalidState(_ message: String) -> JoistError { .init(.invalidState, message) }
    public static func hostFailure(_ message: String) -> JoistError { .init(.hostFailure, message) }
    public static func unauthenticated(_ message: String) -> JoistError { .init(.unauthenticated, message) }
    public static func forbidden(_ message: String) -> JoistError { .init(.forbidden, message) }
    public static func preconditionFailed(_ message: String) -> JoistError { .init(.preconditionFailed, message) }
    public static func quotaExceeded(_ message: String) -> JoistError { .init(.quotaExceeded, message) }
}
