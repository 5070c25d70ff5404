import Foundation
import JoistTesting
import Testing
import Yams

@Suite("openapi.yaml: structure and routes")
struct OpenAPIDocumentTests {
    /// The routes of docs/API.md, in its table's order, as method and path template.
    static let documentedRoutes: [String] = [
        "GET /1.0/health", "GET /1.0", "GET /1.0/openapi.yaml", "GET /1.0/resources",
        "GET /1.0/instances", "POST /1.0/instances", "GET /1.0/instances/{name}", "DELETE /1.0/instances/{name}",
        "PUT /1.0/instances/{name}/state", "PATCH /1.0/instances/{name}/config",
        "POST /1.0/instances/{name}/disks", "DELETE /1.0/instances/{name}/disks/{pool}/{volume}",
        "POST /1.0/instances/{name}/nics", "DELETE /1.0/instances/{name}/nics/{nic}",
        "GET /1.0/instances/{name}/snapshots", "POST /1.0/instances/{name}/snapshots", "GET /1.0/instances/{name}/snapshots/{snapshot}",
        "DELETE /1.0/instances/{name}/snapshots/{snapshot}", "POST /1.0/instances/{name}/snapshots/{snapshot}/restore",
        "GET /1.0/instances/{name}/backups", "POST /1.0/instances/{name}/backups", "GET /1.0/instances/{name}/backups/{backup}",
        "POST /1.0/instances/{name}/backups/{backup}/restore", "POST /1.0/instances/{name}/backups/{backup}/verify",
        "GET /1.0/instances/{name}/snapshot-schedule", "PUT /1.0/instances/{name}/snapshot-schedule", "DELETE /1.0/instances/{name}/snapshot-schedule",
        "POST /1.0/instances/{name}/backups/prune", "DELETE /1.0/instances/{name}/backups/{backup}",
        "GET /1.0/instances/{name}/backup-schedule", "PUT /1.0/instances/{name}/backup-schedule", "DELETE /1.0/instances/{name}/backup-schedule",
        "POST /1.0/instances/{name}/publish",
        "GET /1.0/instances/{name}/console/log", "GET /1.0/instances/{name}/console", "GET /1.0/instances/{name}/vnc",
        "POST /1.0/instances/{name}/exec", "PUT /1.0/instances/{name}/files", "GET /1.0/instances/{name}/files", "GET /1.0/instances/{name}/guest",
        "GET /1.0/instances/{name}/metrics",
        "GET /1.0/operations", "GET /1.0/operations/{id}", "GET /1.0/operations/{id}/wait", "DELETE /1.0/operations/{id}",
        "GET /1.0/events",
        "GET /1.0/projects", "POST /1.0/projects", "GET /1.0/projects/{name}", "PATCH /1.0/projects/{name}",
        "DELETE /1.0/projects/{name}",
        "GET /1.0/tokens", "POST /1.0/tokens", "GET /1.0/tokens/{name}", "DELETE /1.0/tokens/{name}",
        "GET /1.0/audit",
        "GET /1.0/storage-pools", "POST /1.0/storage-pools", "GET /1.0/storage-pools/{pool}", "DELETE /1.0/storage-pools/{pool}",
        "GET /1.0/storage-pools/{pool}/volumes", "POST /1.0/storage-pools/{pool}/volumes",
        "GET /1.0/storage-pools/{pool}/volumes/{name}", "DELETE /1.0/storage-pools/{pool}/volumes/{name}",
        "POST /1.0/storage-pools/{pool}/volumes/{name}/resize", "POST /1.0/storage-pools/{pool}/volumes/{name}/clone",
        "GET /1.0/volumes",
        "GET /1.0/backup-stores", "POST /1.0/backup-stores", "GET /1.0/backup-stores/{store}", "DELETE /1.0/backup-stores/{store}",
        "POST /1.0/backup-stores/{store}/gc", "GET /1.0/backup-stores/{store}/backups", "POST /1.0/backup-stores/{store}/verify",
        "GET /1.0/images", "POST /1.0/images", "POST /1.0/images/build", "GET /1.0/images/{name}", "DELETE /1.0/images/{name}",
        "POST /1.0/images/{name}/aliases", "DELETE /1.0/images/{name}/aliases/{alias}",
        "POST /1.0/storage-pools/{pool}/volumes/{name}/import", "POST /1.0/storage-pools/{pool}/volumes/{name}/export",
        "GET /1.0/volume-exports/{id}", "DELETE /1.0/volume-exports/{id}",
        "GET /1.0/networks", "POST /1.0/networks", "GET /1.0/networks/{network}", "DELETE /1.0/networks/{network}",
        "GET /1.0/instances/{name}/firewall", "POST /1.0/instances/{name}/firewall", "DELETE /1.0/instances/{name}/firewall/{id}",
        "GET /1.0/networks/{network}/firewall", "POST /1.0/networks/{network}/firewall",
        "DELETE /1.0/networks/{network}/firewall/{id}", "PUT /1.0/networks/{network}/firewall/policy",
        "GET /1.0/networks/{network}/forwards", "POST /1.0/networks/{network}/forwards", "DELETE /1.0/networks/{network}/forwards/{id}",
    ]

    @Test("the document parses and every $ref resolves")
    func references() throws {
        let document = try Spec.document()
        #expect(document.unresolvedReferences == [])
        #expect(document.schemaNames.count > 40)
    }

    @Test("the operations are exactly the routes listed above")
    func operations() throws {
        let operations = try Spec.document().operations.map { "\($0.method) \($0.path)" }
        #expect(Set(operations) == Set(Self.documentedRoutes))
        #expect(operations.count == Self.documentedRoutes.count)
    }

    @Test("the route table of docs/API.md lists the same routes")
    func apiDocument() throws {
        let text = try String(contentsOfFile: Spec.path("docs/API.md"), encoding: .utf8)
        // Rows look like: | GET (WebSocket) | `/1.0/events?type=…` | viewer | … |
        let rows = text.split(separator: "\n").compactMap { line -> String? in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, let method = cells[0].split(separator: " ").first,
                ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(String(method)),
                cells[1].hasPrefix("`/1.0")
            else { return nil }
            let path = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`")).split(separator: "?")[0]
            return "\(method) \(path)"
        }
        #expect(rows == Self.documentedRoutes)
    }

    @Test("every documented error answer uses the shared Error schema")
    func responses() throws {
        let document = try Spec.document()
        let error = Data(#"{"error": {"code": "not_found", "message": "no instance web-9"}}"#.utf8)
        for operation in document.operations {
            let problems = document.validateResponse(
                method: operation.method, path: operation.path, status: 404, body: error, contentType: "application/json")
            // Routes without a 404 answer must say so; the others must accept the shared body.
            #expect(problems.isEmpty || problems.allSatisfy { $0.hasSuffix("status 404 is not documented") })
        }
    }

    @Test("202 answers carry Location; revisioned resources carry ETag and honour If-Match")
    func headers() throws {
        let root = try Self.raw()
        let paths = try #require(root["paths"] as? [String: [String: Any]])
        let accepted = ["$ref": "#/components/responses/OperationAccepted"]
        for (path, item) in paths {
            for case let (method, operation as [String: Any]) in item {
                let responses = try #require(operation["responses"] as? [String: Any])
                if let response = responses["202"] {
                    #expect(response as? [String: String] == accepted, "\(method) \(path)")
                }
            }
        }
        let components = try #require(root["components"] as? [String: Any])
        let operationAccepted = (components["responses"] as? [String: [String: Any]])?["OperationAccepted"]
        #expect((operationAccepted?["headers"] as? [String: Any])?["Location"] != nil)
        for (path, method) in [
            ("/1.0/instances/{name}", "get"), ("/1.0/instances/{name}/config", "patch"),
            ("/1.0/projects/{name}", "get"), ("/1.0/projects/{name}", "patch"),
        ] {
            let operation = try #require(paths[path]?[method] as? [String: Any])
            let ok = (operation["responses"] as? [String: Any])?["200"] as? [String: Any]
            #expect((ok?["headers"] as? [String: Any])?["ETag"] != nil, "\(method) \(path) answers ETag")
            if method == "patch" {
                let parameters = operation["parameters"] as? [[String: String]] ?? []
                #expect(parameters.contains(["$ref": "#/components/parameters/IfMatch"]), "\(path) takes If-Match")
                #expect((operation["responses"] as? [String: Any])?["412"] != nil, "\(path) answers 412")
            }
        }
    }

    /// The document as Yams reads it, for checks on keys the validator does not model.
    private static func raw() throws -> [String: Any] {
        let yaml = try String(contentsOfFile: Spec.path("openapi.yaml"), encoding: .utf8)
        return try #require(try Yams.load(yaml: yaml) as? [String: Any])
    }

    @Test("health needs no token, everything else does; the WebSocket routes are marked")
    func securityAndWebSockets() throws {
        let root = try Self.raw()
        let security = try #require(root["security"] as? [[String: [String]]])
        #expect(security == [["bearerAuth": []]])
        let paths = try #require(root["paths"] as? [String: [String: Any]])
        var open: [String] = []
        var webSockets: [String] = []
        for (path, item) in paths {
            for case let (method, operation as [String: Any]) in item {
                if let security = operation["security"] as? [Any], security.isEmpty { open.append("\(method) \(path)") }
                if operation["x-websocket"] as? Bool == true {
                    webSockets.append("\(method) \(path)")
                    let responses = try #require(operation["responses"] as? [String: Any])
                    #expect(responses["101"] != nil, "\(path) must answer 101")
                }
            }
        }
        #expect(open == ["get /1.0/health"])
        #expect(webSockets.sorted() == ["get /1.0/events", "get /1.0/instances/{name}/console", "get /1.0/instances/{name}/vnc"])
    }
}
