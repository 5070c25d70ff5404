import Foundation
import HTTPTypes
import Hummingbird
import JoistCore
import NIOCore

/// `/ui`: the web UI, served by joistd itself. Its pages are static files with no data in them, so
/// they need no token; everything they show comes from the REST API and the event stream, with the
/// token the user signs in with. These routes are not part of the API (nor of its spec).
enum UIRoutes {
    /// What every UI response carries: the pages load only joistd's own scripts, styles and
    /// sockets, never run inline script, and may not be framed.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        .xContentTypeOptions: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        HTTPField.Name("X-Frame-Options")!: "DENY",
    ]

    static func register(on router: Router<JoistRequestContext>, assets: UIAssets, vendor: UIVendor) {
        // The router treats `/ui` and `/ui/` alike; the page's relative links need the slash.
        router.get("/ui") { request, _ in
            guard request.uri.path.hasSuffix("/") else { return Response(status: .movedPermanently, headers: [.location: "/ui/"]) }
            return try response(assets.file("index.html"), cache: false)
        }
        router.get("/ui/vendor/{file}") { _, context in
            try response(vendor.file(context.parameters.require("file")), cache: true)
        }
        router.get("/ui/**") { request, _ in
            let path = String(request.uri.path.dropFirst("/ui/".count))
            return try response(assets.file(path), cache: false)
        }
    }

    private static func response(_ file: UIFile, cache: Bool) throws -> Response {
        var headers = securityHeaders
        headers[.contentType] = file.contentType
        // The UI's own files change with joistd, so the browser checks each time; vendor bundles are
        // named by package and change only when their Debian packages do.
        headers[.cacheControl] = cache ? "public, max-age=3600" : "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }
}

/// One file the UI serves.
struct UIFile: Sendable {
    var bytes: [UInt8]
    var contentType: String

    init(bytes: [UInt8], name: String) {
        self.bytes = bytes
        self.contentType = Self.contentType(of: name)
    }

    static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last.map(String.init) {
        case "html": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "json": "application/json"
        default: "application/octet-stream"
        }
    }
}
