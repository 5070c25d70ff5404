import Foundation
import HTTPTypes
import Hummingbird
import JoistAPI
import JoistCore

/// Renders every error as `{"error": {"code", "message"}}` with the matching HTTP status.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let (status, body) = Self.describe(error)
            if status == .internalServerError {
                context.logger.error("\(request.method) \(request.uri.path) failed: \(error)")
            }
            return JSONBody.response(body, status: status)
        }
    }

    static func describe(_ error: any Error) -> (HTTPResponse.Status, ErrorResponse) {
        switch error {
        case let error as JoistError:
            return (status(of: error.code), ErrorResponse(code: error.code.rawValue, message: error.message))
        case let error as HTTPError:
            let code = error.status == .notFound ? "not_found" : error.status == .methodNotAllowed ? "method_not_allowed" : "bad_request"
            let message = error.body ?? (error.status == .notFound ? "no such API endpoint" : error.status.reasonPhrase)
            return (error.status, ErrorResponse(code: code, message: message))
        case let error as DecodingError:
            return (.badRequest, ErrorResponse(code: "invalid_argument", message: "invalid request body: \(describe(decoding: error))"))
        default:
            return (.internalServerError, ErrorResponse(code: "internal", message: "\(error)"))
        }
    }

    static func status(of code: JoistError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidArgument: return .badRequest
        case .notFound: return .notFound
        case .alreadyExists, .invalidState: return .conflict
        case .unsupported: return .unprocessableContent
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
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? APICoding.encoder().encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Decodes a request body, refusing fields the type does not know (a typo must not be silently ignored).
    static func decode<T: Decodable>(_ type: T.Type, allowed: Set<String>, from request: Request, context: some RequestContext) async throws -> T {
        var request = request
        let buffer = try await request.collectBody(upTo: 1 << 20)
        let data = Data(buffer.readableBytesView)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw JoistError.invalidArgument("request body must be a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw JoistError.invalidArgument("unknown field '\(unknown)'")
        }
        return try APICoding.decoder().decode(T.self, from: data)
    }
}
