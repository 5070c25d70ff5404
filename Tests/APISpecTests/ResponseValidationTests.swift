import Foundation
import JoistAPI
import JoistTesting
import Testing

@Suite("OpenAPI validator: responses are checked against the schema of their status")
struct ResponseValidationTests {
    private let json = "application/json"

    private func body(_ value: some Encodable) throws -> Data { try APICoding.encoder().encode(value) }

    private var notFound: Data { Data(#"{"error": {"code": "not_found", "message": "no instance web-9"}}"#.utf8) }

    @Test("a success body is checked against the success schema, an error body against Error")
    func byStatus() throws {
        let document = try Spec.document()
        let instance = try body(WireSamples.fullInstance)
        let path = "/1.0/instances/{name}"
        #expect(document.validateResponse(method: "GET", path: path, status: 200, body: instance, contentType: json) == [])
        #expect(document.validateResponse(method: "get", path: path, status: 404, body: notFound, contentType: json) == [])

        let swapped = document.validateResponse(method: "GET", path: path, status: 404, body: instance, contentType: json)
        #expect(swapped.contains("GET /1.0/instances/{name} 404: $: missing required property 'error'"))
        let errorAsSuccess = document.validateResponse(method: "GET", path: path, status: 200, body: notFound, contentType: json)
        #expect(errorAsSuccess.contains("GET /1.0/instances/{name} 200: $: missing required property 'name'"))
    }

    @Test("202 answers must be operations")
    func accepted() throws {
        let document = try Spec.document()
        let operation = try body(WireSamples.fullOperation)
        let path = "/1.0/instances/{name}/state"
        #expect(document.validateResponse(method: "PUT", path: path, status: 202, body: operation, contentType: json) == [])
        let instance = try body(WireSamples.minimalInstance)
        #expect(document.validateResponse(method: "PUT", path: path, status: 202, body: instance, contentType: json) != [])
    }

    @Test("an undocumented status, route or method is reported")
    func undocumented() throws {
        let document = try Spec.document()
        #expect(document.validateResponse(method: "GET", path: "/1.0/instances", status: 418, body: Data(), contentType: nil)
            == ["GET /1.0/instances: status 418 is not documented"])
        #expect(document.validateResponse(method: "GET", path: "/1.0/clusters", status: 200, body: Data(), contentType: nil)
            == ["GET /1.0/clusters is not in the document"])
        #expect(document.validateResponse(method: "PUT", path: "/1.0/tokens", status: 200, body: Data(), contentType: nil)
            == ["PUT /1.0/tokens is not in the document"])
        // Health needs no token, so it never answers 401.
        #expect(document.validateResponse(method: "GET", path: "/1.0/health", status: 401, body: notFound, contentType: json)
            == ["GET /1.0/health: status 401 is not documented"])
    }

    @Test("204 answers have no body")
    func noContent() throws {
        let document = try Spec.document()
        #expect(document.validateResponse(method: "DELETE", path: "/1.0/tokens/{name}", status: 204, body: Data(), contentType: nil) == [])
        #expect(document.validateResponse(method: "DELETE", path: "/1.0/tokens/{name}", status: 204, body: Data("{}".utf8), contentType: json)
            == ["DELETE /1.0/tokens/{name} 204: expected no body, got 2 bytes"])
    }

    @Test("the content type must be one the response declares; parameters are ignored")
    func contentTypes() throws {
        let document = try Spec.document()
        let health = Data(#"{"status": "ok"}"#.utf8)
        #expect(document.validateResponse(method: "GET", path: "/1.0/health", status: 200, body: health, contentType: "application/json; charset=utf-8") == [])
        #expect(document.validateResponse(method: "GET", path: "/1.0/health", status: 200, body: health, contentType: "text/plain")
            == ["GET /1.0/health 200: content type text/plain is not application/json"])
        #expect(document.validateResponse(method: "GET", path: "/1.0/health", status: 200, body: health, contentType: nil)
            == ["GET /1.0/health 200: content type (none) is not application/json"])
        let bytes = Data([0x1B, 0x5B, 0x30, 0x6D, 0xFF, 0x0A])
        #expect(document.validateResponse(
            method: "GET", path: "/1.0/instances/{name}/console/log", status: 200, body: bytes, contentType: "application/octet-stream") == [])
        #expect(document.validateResponse(
            method: "GET", path: "/1.0/openapi.yaml", status: 200, body: Data("openapi: 3.0.3\n".utf8), contentType: "application/yaml") == [])
        #expect(document.validateResponse(method: "GET", path: "/1.0/health", status: 200, body: Data("ok".utf8), contentType: json).count == 1)
    }

    @Test("pages are checked item by item")
    func pages() throws {
        let document = try Spec.document()
        let page = try body(Page(items: [WireSamples.fullToken, WireSamples.minimalToken], next: "admin-1"))
        #expect(document.validateResponse(method: "GET", path: "/1.0/tokens", status: 200, body: page, contentType: json) == [])
        let wrong = try body(Page(items: [WireSamples.fullOperation]))
        let problems = document.validateResponse(method: "GET", path: "/1.0/tokens", status: 200, body: wrong, contentType: json)
        #expect(problems.contains("GET /1.0/tokens 200: $.items[0]: missing required property 'name'"))
    }
}
