import Foundation
import JoistAPI
import JoistCore
import Store
import Testing

@testable import Daemon

@Suite("Tokens")
struct TokenAuthorityTests {
    @Test("a created token authenticates with its role and project; the store keeps only a hash")
    func createAndAuthenticate() async throws {
        let store = InMemoryStore()
        let tokens = TokenAuthority(store: store)
        let created = try await tokens.create(TokenCreate(name: "ci", role: .operator, project: "team"), createdBy: "local")
        #expect(created.secret.hasPrefix("joist_\(created.token.id)."))
        let identity = try tokens.authenticate(authorization: "Bearer \(created.secret)")
        #expect(identity == Identity(name: "ci", role: .operator, project: "team"))
        let (items, _) = try await store.range(prefix: "/meta/tokens/")
        let stored = String(decoding: try #require(items.first).value, as: UTF8.self)
        let secretPart = String(created.secret.split(separator: ".").last!)
        #expect(!stored.contains(secretPart))
        // A fresh authority reading the same store knows the token.
        let reloaded = TokenAuthority(store: store)
        try await reloaded.load()
        #expect(try reloaded.authenticate(authorization: "Bearer \(created.secret)").name == "ci")
    }

    @Test(
        "missing, malformed, wrong and unknown tokens are refused",
        arguments: [nil, "Basic abc", "Bearer ", "Bearer joist_", "Bearer nope.nope", "Bearer joist_000000000000.00"])
    func refused(header: String?) async throws {
        let tokens = TokenAuthority(store: InMemoryStore())
        _ = try await tokens.create(TokenCreate(name: "a", role: .admin), createdBy: "local")
        let error = #expect(throws: JoistError.self) { try tokens.authenticate(authorization: header) }
        #expect(error?.code == .unauthenticated)
    }

    @Test("a right id with a wrong secret is refused")
    func wrongSecret() async throws {
        let tokens = TokenAuthority(store: InMemoryStore())
        let created = try await tokens.create(TokenCreate(name: "a", role: .admin), createdBy: "local")
        let forged = "joist_\(created.token.id)." + String(repeating: "0", count: 64)
        #expect(throws: JoistError.self) { try tokens.authenticate(authorization: "Bearer \(forged)") }
    }

    @Test("expired tokens are refused, with a message that says so")
    func expiry() async throws {
        let tokens = TokenAuthority(store: InMemoryStore())
        let now = Date()
        let created = try await tokens.create(
            TokenCreate(name: "short", role: .viewer, expires: "1h"), createdBy: "local", now: now)
        #expect(created.token.expiresAt == now.addingTimeInterval(3600))
        _ = try tokens.authenticate(authorization: "Bearer \(created.secret)", now: now.addingTimeInterval(3599))
        let error = #expect(throws: JoistError.self) {
            try tokens.authenticate(authorization: "Bearer \(created.secret)", now: now.addingTimeInterval(3600))
        }
        #expect(error?.message.contains("expired") == true)
    }

    @Test("revoked tokens are refused at once; names are unique")
    func revokeAndUniqueness() async throws {
        let tokens = TokenAuthority(store: InMemoryStore())
        let created = try await tokens.create(TokenCreate(name: "a", role: .admin), createdBy: "local")
        let duplicate = await #expect(throws: JoistError.self) {
            _ = try await tokens.create(TokenCreate(name: "a", role: .viewer), createdBy: "local")
        }
        #expect(duplicate?.code == .alreadyExists)
        try await tokens.revoke(name: "a")
        #expect(throws: JoistError.self) { try tokens.authenticate(authorization: "Bearer \(created.secret)") }
        #expect(tokens.list().isEmpty)
        // The name is free again.
        _ = try await tokens.create(TokenCreate(name: "a", role: .viewer), createdBy: "local")
    }

    @Test("lifetimes parse; nonsense is refused", arguments: [("30d", 2_592_000.0), ("12h", 43_200), ("90m", 5400), ("45s", 45), ("2w", 1_209_600)])
    func lifetimes(text: String, seconds: Double) throws {
        #expect(try TokenAuthority.lifetime(parsing: text) == seconds)
    }

    @Test("bad lifetimes are refused", arguments: ["", "d", "0d", "-1d", "10y", "1.5h"])
    func badLifetimes(text: String) {
        #expect(throws: JoistError.self) { try TokenAuthority.lifetime(parsing: text) }
    }
}
