import Foundation
import HTTPTypes
import JoistAPI
import JoistTesting
import Testing

@testable import APIServer

@Suite("Routes: spec and access")
struct RouteAccessTests {
    /// Who may call each route, written out by hand so that a changed declaration fails this test.
    static let expected: [String: Access] = [
        "GET /1.0/health": .open,
        "GET /1.0": .any(.viewer),
        "GET /1.0/openapi.yaml": .any(.viewer),
        "GET /1.0/instances": .project(.viewer),
        "POST /1.0/instances": .project(.operator),
        "GET /1.0/instances/{name}": .project(.viewer),
        "DELETE /1.0/instances/{name}": .project(.operator),
        "PUT /1.0/instances/{name}/state": .project(.operator),
        "PATCH /1.0/instances/{name}/config": .project(.operator),
        "POST /1.0/instances/{name}/disks": .project(.operator),
        "POST /1.0/instances/{name}/publish": .global(.admin),
        "DELETE /1.0/instances/{name}/disks/{pool}/{volume}": .project(.operator),
        "POST /1.0/instances/{name}/nics": .project(.operator),
        "DELETE /1.0/instances/{name}/nics/{nic}": .project(.operator),
        "GET /1.0/instances/{name}/snapshots": .project(.viewer),
        "POST /1.0/instances/{name}/snapshots": .project(.operator),
        "GET /1.0/instances/{name}/snapshots/{snapshot}": .project(.viewer),
        "DELETE /1.0/instances/{name}/snapshots/{snapshot}": .project(.operator),
        "POST /1.0/instances/{name}/snapshots/{snapshot}/restore": .project(.operator),
        "GET /1.0/instances/{name}/backups": .project(.viewer),
        "POST /1.0/instances/{name}/backups": .project(.operator),
        "GET /1.0/instances/{name}/backups/{backup}": .project(.viewer),
        "POST /1.0/instances/{name}/backups/{backup}/restore": .project(.operator),
        "POST /1.0/instances/{name}/backups/{backup}/verify": .project(.operator),
        "GET /1.0/instances/{name}/snapshot-schedule": .project(.viewer),
        "PUT /1.0/instances/{name}/snapshot-schedule": .project(.operator),
        "DELETE /1.0/instances/{name}/snapshot-schedule": .project(.operator),
        "POST /1.0/instances/{name}/backups/prune": .project(.operator),
        "DELETE /1.0/instances/{name}/backups/{backup}": .project(.operator),
        "GET /1.0/instances/{name}/backup-schedule": .project(.viewer),
        "PUT /1.0/instances/{name}/backup-schedule": .project(.operator),
        "DELETE /1.0/instances/{name}/backup-schedule": .project(.operator),
        "GET /1.0/instances/{name}/console/log": .project(.viewer),
        "POST /1.0/instances/{name}/exec": .project(.operator),
        "PUT /1.0/instances/{name}/files": .project(.operator),
        "GET /1.0/instances/{name}/files": .project(.operator),
        "GET /1.0/instances/{name}/guest": .project(.viewer),
        "GET /1.0/instances/{name}/metrics": .project(.viewer),
        "GET /1.0/resources": .any(.viewer),
        "GET /1.0/instances/{name}/console": .project(.viewer),
        "GET /1.0/instances/{name}/vnc": .project(.viewer),
        "GET /1.0/operations": .project(.viewer),
        "GET /1.0/operations/{id}": .any(.viewer),
        "GET /1.0/operations/{id}/wait": .any(.viewer),
        "DELETE /1.0/operations/{id}": .any(.operator),
        "GET /1.0/events": .any(.viewer),
        "GET /1.0/projects": .any(.viewer),
        "POST /1.0/projects": .global(.admin),
        "GET /1.0/projects/{name}": .projectPath(.viewer),
        "PATCH /1.0/projects/{name}": .global(.admin),
        "DELETE /1.0/projects/{name}": .global(.admin),
        "GET /1.0/tokens": .global(.admin),
        "POST /1.0/tokens": .global(.admin),
        "GET /1.0/tokens/{name}": .global(.admin),
        "DELETE /1.0/tokens/{name}": .global(.admin),
        "GET /1.0/audit": .any(.admin),
        "GET /1.0/storage-pools": .any(.viewer),
        "POST /1.0/storage-pools": .global(.admin),
        "GET /1.0/storage-pools/{pool}": .any(.viewer),
        "DELETE /1.0/storage-pools/{pool}": .global(.admin),
        "GET /1.0/backup-stores": .any(.viewer),
        "POST /1.0/backup-stores": .global(.admin),
        "GET /1.0/backup-stores/{store}": .any(.viewer),
        "DELETE /1.0/backup-stores/{store}": .global(.admin),
        "POST /1.0/backup-stores/{store}/gc": .global(.admin),
        "GET /1.0/backup-stores/{store}/backups": .project(.viewer),
        "POST /1.0/backup-stores/{store}/verify": .project(.operator),
        "GET /1.0/storage-pools/{pool}/volumes": .project(.viewer),
        "POST /1.0/storage-pools/{pool}/volumes": .project(.operator),
        "GET /1.0/storage-pools/{pool}/volumes/{name}": .project(.viewer),
        "DELETE /1.0/storage-pools/{pool}/volumes/{name}": .project(.operator),
        "POST /1.0/storage-pools/{pool}/volumes/{name}/resize": .project(.operator),
        "POST /1.0/storage-pools/{pool}/volumes/{name}/clone": .project(.operator),
        "GET /1.0/volumes": .project(.viewer),
        "GET /1.0/images": .any(.viewer),
        "POST /1.0/images": .global(.admin),
        "POST /1.0/images/build": .global(.admin),
        "GET /1.0/images/{name}": .any(.viewer),
        "DELETE /1.0/images/{name}": .global(.admin),
        "POST /1.0/images/{name}/aliases": .global(.admin),
        "DELETE /1.0/images/{name}/aliases/{alias}": .global(.admin),
        "POST /1.0/storage-pools/{pool}/volumes/{name}/import": .project(.operator),
        "POST /1.0/storage-pools/{pool}/volumes/{name}/export": .project(.operator),
        "GET /1.0/volume-exports/{id}": .project(.operator),
        "DELETE /1.0/volume-exports/{id}": .project(.operator),
        "GET /1.0/networks": .any(.viewer),
        "POST /1.0/networks": .global(.admin),
        "GET /1.0/networks/{network}": .any(.viewer),
        "DELETE /1.0/networks/{network}": .global(.admin),
        "GET /1.0/instances/{name}/firewall": .project(.viewer),
        "POST /1.0/instances/{name}/firewall": .project(.operator),
        "DELETE /1.0/instances/{name}/firewall/{id}": .project(.operator),
        "GET /1.0/networks/{network}/firewall": .any(.viewer),
        "POST /1.0/networks/{network}/firewall": .global(.admin),
        "DELETE /1.0/networks/{network}/firewall/{id}": .global(.admin),
        "PUT /1.0/networks/{network}/firewall/policy": .global(.admin),
        "GET /1.0/networks/{network}/forwards": .project(.viewer),
        "POST /1.0/networks/{network}/forwards": .project(.operator),
        "DELETE /1.0/networks/{network}/forwards/{id}": .project(.operator),
    ]

    @Test("every registered route is in openapi.yaml and every documented operation is registered")
    func routesMatchTheSpec() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        let spec = try OpenAPIDocument(contentsOf: RepositoryFile.path("openapi.yaml"))
        let documented = Set(spec.operations.map { "\($0.method.uppercased()) \($0.path)" })
        let registered = Set(fixture.table.routes.map(\.description))
        #expect(registered.subtracting(documented).sorted() == [], "registered but not documented")
        #expect(documented.subtracting(registered).sorted() == [], "documented but not registered")
        #expect(fixture.table.routes.count == registered.count, "a route is registered twice")
    }

    @Test("the daemon serves the spec byte for byte as it is in the repository (scripts/embed-openapi)")
    func embeddedSpecIsCurrent() throws {
        let file = try String(contentsOfFile: RepositoryFile.path("openapi.yaml"), encoding: .utf8)
        #expect(OpenAPISpec.yaml == file)
    }

    @Test("every route declares the access written down here")
    func declaredAccess() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        let declared = Dictionary(uniqueKeysWithValues: fixture.table.routes.map { ($0.description, $0.access) })
        #expect(declared == Self.expected)
    }

    @Test("role × route: every caller gets 401 or 403 exactly where its role and project say so")
    func matrix() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        let routes = fixture.table.routes
        let failures = try await fixture.withClient { client in
            var failures: [String] = []
            for route in routes {
                for caller in APIFixture.Caller.allCases {
                    let uri = route.path.replacingOccurrences(of: "{name}", with: "nothing")
                        .replacingOccurrences(of: "{id}", with: "nothing").replacingOccurrences(of: "{pool}", with: "nothing")
                        .replacingOccurrences(of: "{alias}", with: "nothing").replacingOccurrences(of: "{network}", with: "nothing")
                    let body: String? = [.post, .put, .patch].contains(route.method) ? "{}" : nil
                    let answer = try await client.request(route.method, uri, as: caller, body: body)
                    let want = Self.expectedDenial(route.access, caller)
                    let got = answer.status == 401 || answer.status == 403 ? answer.status : nil
                    if want != got {
                        failures.append("\(route) as \(caller): expected \(want.map(String.init) ?? "allowed"), got \(answer.status)")
                    }
                    if answer.status >= 500 { failures.append("\(route) as \(caller): \(answer.status)") }
                }
            }
            return failures
        }
        #expect(failures == [])
    }

    /// 401 without a token, 403 for a role too low or a project-bound token on a global route, else nil.
    static func expectedDenial(_ access: Access, _ caller: APIFixture.Caller) -> Int? {
        guard access.scope != .open else { return nil }
        guard let role = caller.role else { return 401 }
        if role < access.role { return 403 }
        if access.scope == .global && caller.project != nil { return 403 }
        // `.projectPath` routes here name the project "nothing": a project-bound caller may not look.
        if access.scope == .projectPath && caller.project != nil { return 403 }
        return nil
    }
}
