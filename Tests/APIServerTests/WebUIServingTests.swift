import Foundation
import HTTPTypes
import Testing

@testable import APIServer

/// `/ui`: the embedded files, their headers, and the paths that must never resolve.
@Suite("Web UI serving")
struct WebUIServingTests {
    @Test("the embedded files are ui/ byte for byte (scripts/embed-ui)")
    func embeddedMatchesRepository() throws {
        let root = RepositoryFile.path("ui")
        let files = try FileManager.default.subpathsOfDirectory(atPath: root).filter { path in
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory)
            return exists && !isDirectory.boolValue && !path.split(separator: "/").contains { $0.hasPrefix(".") }
        }
        #expect(Set(files) == Set(UIAssets.embedded.keys), "run scripts/embed-ui")
        for file in files {
            let text = try String(contentsOfFile: root + "/" + file, encoding: .utf8)
            #expect(UIAssets.embedded[file] == text, "\(file) differs from its embedded copy: run scripts/embed-ui")
        }
    }

    @Test("only plain relative paths resolve", arguments: [
        ("index.html", true), ("js/pages/instance.js", true), ("../openapi.yaml", false), ("js/../index.html", false),
        ("", false), ("/etc/passwd", false), ("js//main.js", false), (".hidden", false), ("js/%2e%2e/x", false), ("a b.js", false),
    ])
    func safePaths(path: String, allowed: Bool) {
        #expect(UIAssets.isSafe(path) == allowed)
    }

    @Test("a folder given by JOIST_UI_DIR is served instead of the embedded files, with the same checks")
    func servesFolder() throws {
        let folder = "/tmp/jui-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder + "/js", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "edited".write(toFile: folder + "/js/main.js", atomically: true, encoding: .utf8)
        let assets = UIAssets.fromEnvironment(["JOIST_UI_DIR": folder])
        let file = try assets.file("js/main.js")
        #expect(file.bytes == Array("edited".utf8) && file.contentType == "text/javascript; charset=utf-8")
        #expect(throws: (any Error).self) { try assets.file("../" + String(folder.split(separator: "/").last!) + "/js/main.js") }
        #expect(throws: (any Error).self) { try assets.file("index.html") }
        #expect(UIAssets.fromEnvironment([:]).directory == nil)
    }

    @Test("vendor files are an allow-list, found in JOIST_UI_VENDOR, with a message naming the packages when missing")
    func vendor() throws {
        let folder = "/tmp/juv-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "term".write(toFile: folder + "/xterm.js", atomically: true, encoding: .utf8)
        try "secret".write(toFile: folder + "/other.js", atomically: true, encoding: .utf8)
        let vendor = UIVendor.locate(environment: ["JOIST_UI_VENDOR": folder])
        #expect(try vendor.file("xterm.js").bytes == Array("term".utf8))
        #expect(throws: (any Error).self) { try vendor.file("other.js") }
        let missing = #expect(throws: (any Error).self) { try vendor.file("novnc.js") }
        #expect("\(missing.map { "\($0)" } ?? "")".contains("novnc"))
        // Beside the binary (a build) is found without the variable, and the running binary is a real path.
        #expect(UIVendor.runningExecutable().hasPrefix("/"))
        let build = folder + "/bin"
        try FileManager.default.createDirectory(atPath: build + "/ui-vendor", withIntermediateDirectories: true)
        try "term".write(toFile: build + "/ui-vendor/xterm.js", atomically: true, encoding: .utf8)
        #expect(UIVendor.locate(environment: [:], executable: build + "/joistd").directory == build + "/ui-vendor")
        let beside = UIVendor.locate(environment: [:], executable: folder + "/../" + String(folder.split(separator: "/").last!) + "/joistd")
        #expect(beside.directory == nil, "xterm.js is not in \(folder)/ui-vendor")
    }

    @Test("pages are served with a strict content security policy; /ui redirects to /ui/; unknown files are 404")
    func routes() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        try await fixture.withClient { client in
            let page = try await client.request(.get, "/ui/", as: .anonymous)
            #expect(page.status == 200 && page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(String(decoding: page.body, as: UTF8.self).contains("<title>Joist</title>"))
            let policy = try #require(page.headers[.contentSecurityPolicy])
            #expect(policy.contains("default-src 'self'") && policy.contains("script-src 'self';") && policy.contains("frame-ancestors 'none'"))
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            let script = try await client.request(.get, "/ui/js/api.js", as: .anonymous)
            #expect(script.status == 200 && script.headers[.contentType] == "text/javascript; charset=utf-8")
            let redirect = try await client.request(.get, "/ui", as: .anonymous)
            #expect(redirect.status == 301 && redirect.headers[.location] == "/ui/")
            #expect(try await client.request(.get, "/ui/nope.js", as: .anonymous).status == 404)
            #expect(try await client.request(.get, "/ui/vendor/evil.js", as: .anonymous).status == 404)
            // The UI's pages carry no data: the API behind them still wants a token.
            #expect(try await client.request(.get, "/1.0/instances", as: .anonymous).status == 401)
        }
    }
}

/// The token a browser offers as a WebSocket subprotocol.
@Suite("Browser WebSocket authentication")
struct BrowserWebSocketAuthTests {
    static func headers(_ protocols: String?, upgrade: Bool = true) -> HTTPFields {
        var fields = HTTPFields()
        if upgrade { fields[.upgrade] = "websocket" }
        if let protocols { fields[.secWebSocketProtocol] = protocols }
        return fields
    }

    @Test("joist.bearer.<base64url> becomes a bearer token; the server answers with joist only")
    func decodes() {
        // "joist_ab12.s3cret" in unpadded base64url.
        let offered = Self.headers("joist, joist.bearer.am9pc3RfYWIxMi5zM2NyZXQ")
        #expect(BrowserWebSocketAuth.authorization(offeredIn: offered) == "Bearer joist_ab12.s3cret")
        #expect(BrowserWebSocketAuth.acceptedProtocol(offeredIn: offered) == "joist")
    }

    @Test("no token without a WebSocket upgrade, nor when none is offered; a malformed one is an empty (refused) bearer")
    func refuses() {
        #expect(BrowserWebSocketAuth.authorization(offeredIn: Self.headers("joist.bearer.am9pc3RfYWIxMi5zM2NyZXQ", upgrade: false)) == nil)
        #expect(BrowserWebSocketAuth.authorization(offeredIn: Self.headers("joist")) == nil)
        #expect(BrowserWebSocketAuth.authorization(offeredIn: Self.headers(nil)) == nil)
        #expect(BrowserWebSocketAuth.authorization(offeredIn: Self.headers("joist.bearer.not*base64")) == "Bearer ")
        #expect(BrowserWebSocketAuth.acceptedProtocol(offeredIn: Self.headers("chat")) == nil)
    }

    @Test("base64url decoding takes both padding lengths and refuses other alphabets")
    func base64url() {
        #expect(BrowserWebSocketAuth.decodeBase64URL("YQ") == "a")
        #expect(BrowserWebSocketAuth.decodeBase64URL("YWI") == "ab")
        #expect(BrowserWebSocketAuth.decodeBase64URL("YWJj") == "abc")
        #expect(BrowserWebSocketAuth.decodeBase64URL("fn5-") == "~~~")
        #expect(BrowserWebSocketAuth.decodeBase64URL("YQ==") == nil)
        #expect(BrowserWebSocketAuth.decodeBase64URL("") == nil)
    }
}
