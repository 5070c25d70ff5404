import Activity
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JoistAPI
import JoistCore
import JoistTesting
import Logging
import NIOCore
import QEMUDriver
import Store

@testable import APIServer
@testable import Daemon

/// A daemon's API wired to an in-memory store, with one token per kind of caller, served through
/// Hummingbird's in-process router test client. Nothing starts a guest.
struct APIFixture {
    /// The callers the tests act as.
    enum Caller: String, CaseIterable, Sendable {
        case anonymous, viewer, `operator`, admin, teamViewer, teamOperator, teamAdmin

        var role: Role? {
            switch self {
            case .anonymous: nil
            case .viewer, .teamViewer: .viewer
            case .operator, .teamOperator: .operator
            case .admin, .teamAdmin: .admin
            }
        }

        var project: String? { rawValue.hasPrefix("team") ? "team" : nil }
    }

    let services: APIServices
    let table: RouteTable
    /// The in-memory backends of the daemon's storage pools.
    let storage: FakeStorageHost
    /// The in-memory host the daemon's networks live on.
    let network: FakeHostNetworkDriver
    let secrets: [Caller: String]
    let directory: String
    /// A file that passes for a kernel when creating instances.
    var kernel: String { directory + "/vmlinuz" }

    static func make() async throws -> APIFixture {
        let directory = "/tmp/ja-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/instances", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: directory + "/vmlinuz", contents: Data("kernel".utf8))
        let store = InMemoryStore()
        let events = EventBus()
        let logger = Logger(label: "api-test")
        let storage = FakeStorageHost()
        let env = DaemonEnvironment(
            stateDirectory: directory, store: store, accelerators: AcceleratorResolver(probe: NoKVM()), events: events,
            storageBackend: storage.backend, logger: logger)
        let projects = ProjectRegistry(store: store)
        try await projects.load()
        _ = try await projects.create(ProjectCreate(name: "team", limits: ProjectLimits(instances: 2, disk: .gibibytes(10))))
        let storageManager = StorageManager(env: env, projects: projects)
        try await storageManager.load()
        let network = FakeHostNetworkDriver()
        let networks = NetworkManager(env: env, driver: network)
        try await networks.load()
        let tokens = TokenAuthority(store: store)
        var secrets: [Caller: String] = [:]
        for caller in Caller.allCases {
            guard let role = caller.role else { continue }
            secrets[caller] = try await tokens.create(
                TokenCreate(name: caller.rawValue.lowercased(), role: role, project: caller.project), createdBy: "local"
            ).secret
        }
        let images = ImageManager(env: env, storage: storageManager)
        try await images.load()
        let backupStores = BackupStoreManager(env: env)
        try await backupStores.load()
        let instances = InstanceManager(env: env, projects: projects, storage: storageManager, networks: networks)
        let services = APIServices(
            instances: instances, projects: projects,
            storage: storageManager, backupStores: backupStores, networks: networks, images: images, tokens: tokens,
            operations: OperationManager(events: events), events: events, audit: try AuditLog.inMemory(events: events),
            metrics: MetricsSampler(instances: instances), logger: logger)
        let table = APIServer.makeRouter(services, authenticator: .tokens(tokens, AuthThrottle(limit: 1000)))
        return APIFixture(
            services: services, table: table, storage: storage, network: network, secrets: secrets, directory: directory)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }

    /// Runs `body` with a client for the TCP (token) flavour of the API.
    func withClient<T: Sendable>(_ body: @Sendable (APIClientHelper) async throws -> T) async throws -> T {
        let app = Application(router: table.router)
        let secrets = self.secrets
        return try await app.test(.router) { client in
            try await body(APIClientHelper(client: client, secrets: secrets))
        }
    }

    /// Runs `body` with a client of the Unix socket's flavour of the API: every caller is the local administrator.
    func withLocalClient<T: Sendable>(_ body: @Sendable (APIClientHelper) async throws -> T) async throws -> T {
        let router = APIServer.makeRouter(services, authenticator: .local).router
        return try await Application(router: router).test(.router) { client in
            try await body(APIClientHelper(client: client, secrets: [:]))
        }
    }

    /// Creates a stopped instance with the fixture's kernel as the local administrator: only the Unix
    /// socket may name a kernel, a file on joistd's host.
    @discardableResult
    func createInstance(_ name: String, in project: String = "default", initrd: Bool = false) async throws -> APIClientHelper.Answer {
        let initrd = initrd ? #", "initrd": "\#(kernel)""# : ""
        let body = #"{"name": "\#(name)", "kernel": "\#(kernel)"\#(initrd), "memory": "64MiB"}"#
        return try await withLocalClient { client in
            try await client.request(.post, "/1.0/instances?project=\(project)", as: .anonymous, body: body)
        }
    }
}

/// Requests as a given caller, returning status, headers and body.
struct APIClientHelper: Sendable {
    let client: any TestClientProtocol
    let secrets: [APIFixture.Caller: String]

    struct Answer: Sendable {
        var status: Int
        var headers: HTTPFields
        var body: Data

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try APICoding.decoder().decode(T.self, from: body) }
    }

    func request(
        _ method: HTTPRequest.Method, _ uri: String, as caller: APIFixture.Caller, body: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> Answer {
        var headers = extra
        if let secret = secrets[caller] { headers[.authorization] = "Bearer \(secret)" }
        if body != nil { headers[.contentType] = "application/json" }
        let response = try await client.execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return Answer(status: Int(response.status.code), headers: response.headers, body: Data(response.body.readableBytesView))
    }
}

struct NoKVM: KVMProbe {
    func kvmRunsGuests() async -> Bool { false }
}

/// openapi.yaml at the repository root.
enum RepositoryFile {
    static func path(_ name: String) -> String {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: candidate) && FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return candidate
            }
            directory.deleteLastPathComponent()
        }
        return name
    }
}
