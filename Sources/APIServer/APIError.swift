import Foundation
import Synchronization
import HTTPTypes
import Hummingbird
import JoistAPI
import JoistCore
import NIOCore

/// Renders every error as `{"error": {"code", "message"}}` with the matching HTTP status.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The registered routes, to tell "no such path" (404) from "not with this method" (405).
    var routes = RouteIndex()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && error.body == nil {
            let allowed = routes.methods(matching: request.uri.path)
            guard !allowed.isEmpty else { throw error }
            var response = JSONBody.response(
                ErrorResponse(code: "method_not_allowed", message: "\(request.method) is not allowed on \(request.uri.path); allowed: \(allowed.joined(separator: ", "))"),
                status: .methodNotAllowed)
            response.headers[.allow] = allowed.joined(separator: ", ")
            return response
        } catch {
            let (status, body) = APIErrorMapping.describe(error)
            if status == .internalServerError {
                context.logger.error("\(request.method) \(request.uri.path) failed: \(error)")
            }
            var response = JSONBody.response(body, status: status)
            if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer realm=\"joist\"" }
            return response
        }
    }

}

/// How any error becomes an HTTP status and an `ErrorResponse`: the API's one mapping, used by the
/// middleware and by whatever records outcomes (audit, operations).
enum APIErrorMapping {
    static func describe(_ error: any Error) -> (HTTPResponse.Status, ErrorResponse) {
        switch error {
        case let error as JoistError:
            return (status(of: error.code), ErrorResponse(code: error.code.rawValue, message: error.message))
        case let error as HTTPError:
            switch error.status {
            case .notFound: return (.notFound, ErrorResponse(code: "not_found", message: error.body ?? "no such API endpoint"))
            case .methodNotAllowed:
                return (.methodNotAllowed, ErrorResponse(code: "method_not_allowed", message: error.body ?? "method not allowed on this path"))
            case .contentTooLarge:
                return (.contentTooLarge, ErrorResponse(code: JoistError.Code.tooLarge.rawValue, message: "request body is larger than \(APIServer.maxBodySize) bytes"))
            default:
                let status: HTTPResponse.Status = error.status.code >= 500 ? .badRequest : error.status
                return (status, ErrorResponse(code: "invalid_argument", message: error.body ?? error.status.reasonPhrase))
            }
        case is NIOTooManyBytesError:
            return (.contentTooLarge, ErrorResponse(code: JoistError.Code.tooLarge.rawValue, message: "request body is larger than \(APIServer.maxBodySize) bytes"))
        case let error as DecodingError:
            return (.badRequest, ErrorResponse(code: "invalid_argument", message: "invalid request body: \(describe(decoding: error))"))
        default:
            return (.internalServerError, ErrorResponse(code: "internal", message: "\(error)"))
        }
    }

    static func status(of code: JoistError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidArgument: return .badRequest
        case .unauthenticated: return .unauthorized
        case .forbidden: return .forbidden
        case .notFound: return .notFound
        case .alreadyExists, .invalidState: return .conflict
        case .preconditionFailed: return .preconditionFailed
        case .tooLarge: return .contentTooLarge
        case .unsupported: return .unprocessableContent
        case .quotaExceeded, .rateLimited: return .tooManyRequests
        case .timeout: return .gatewayTimeout
        default: return .internalServerError
        }
    }

    private static func describe(decoding error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "field '\(path)': \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

/// JSON responses with the API's shared encoder.
enum JSONBody {
    /// The dotted path of the first JSON null in a decoded value: absent and null must not mean two things.
    static func firstNull(in value: Any, path: String = "") -> String? {
        switch value {
        case is NSNull:
            return path
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                if let found = firstNull(in: object[key]!, path: path.isEmpty ? key : "\(path).\(key)") { return found }
            }
            return nil
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let found = firstNull(in: element, path: "\(path)[\(index)]") { return found }
            }
            return nil
        default:
            return nil
        }
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, etag: String? = nil) -> Response {
        response(json: (try? APICoding.encoder().encode(value)) ?? Data("{}".utf8), status: status, etag: etag)
    }

    /// A response whose body is already JSON.
    static func response(json data: Data, status: HTTPResponse.Status = .ok, etag: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let etag { headers[.eTag] = etag }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Decodes a request body, refusing fields the type does not know (a typo must not be silently ignored).
    /// `nested` names the fields of sub-objects (or of each object in an array), e.g. `["limits": [...]]`.
    static func decode<T: Decodable>(
        _ type: T.Type, allowed: Set<String>, nested: [String: Set<String>] = [:], from request: Request,
        context: some RequestContext
    ) async throws -> T {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let data = Data(buffer.readableBytesView)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw JoistError.invalidArgument("request body must be a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw JoistError.invalidArgument("unknown field '\(unknown)'")
        }
        for (field, fields) in nested {
            let children = (object[field] as? [Any]) ?? object[field].map { [$0] } ?? []
            for case let child as [String: Any] in children {
                if let unknown = child.keys.sorted().first(where: { !fields.contains($0) }) {
                    throw JoistError.invalidArgument("unknown field '\(field).\(unknown)'")
                }
            }
        }
        if let path = firstNull(in: object) {
            throw JoistError.invalidArgument("field '\(path)' must not be null; leave it out instead")
        }
        return try APICoding.decoder().decode(T.self, from: data)
    }
}

/// Route templates by path, filled once the routes are registered.
final class RouteIndex: Sendable {
    private let templates = Mutex<[(segments: [Substring], method: String)]>([])

    func add(_ route: RouteSpec) {
        templates.withLock { $0.append((route.path.split(separator: "/"), route.method.rawValue)) }
    }

    /// The methods registered for a concrete path, e.g. `GET, DELETE` for `/1.0/instances/web`.
    ///
    /// Like the router, a literal segment wins over a parameter: `/1.0/networks/lan/firewall/policy`
    /// is the policy's path (PUT), not a rule named `policy` (DELETE `…/firewall/{id}`).
    func methods(matching path: String) -> [String] {
        let segments = path.split(separator: "/")
        let matching = templates.withLock { templates in
            templates.filter { template in
                template.segments.count == segments.count
                    && zip(template.segments, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
            }
        }
        // Compare literal positions segment by segment: the first literal where another has a parameter decides.
        let literals = matching.map { template in template.segments.map { !$0.hasPrefix("{") } }
        guard let best = literals.max(by: { $0.lexicographicallyPrecedes($1) { !$0 && $1 } }) else { return [] }
        return zip(matching, literals).filter { $0.1 == best }.map(\.0.method)
    }
}
