import Crypto
import Foundation
public import JoistAPI
public import JoistCore
import Store
import Synchronization

/// Issues, lists, revokes and checks bearer tokens.
///
/// A token reads `joist_<id>.<secret>`: the id finds the record, the secret is checked against its
/// SHA-256, which is all the store keeps. Checks compare digests in constant time and do the same work
/// for unknown ids, so timing tells nothing about which tokens exist.
public final class TokenAuthority: Sendable {
    struct StoredToken: Codable, Sendable {
        var token: Token
        /// Hex SHA-256 of the secret part.
        var hash: String
    }

    private let store: any Store
    private let tokens = Mutex<[String: StoredToken]>([:])

    public init(store: any Store) {
        self.store = store
    }

    static let prefix = "/meta/tokens/"
    static let namePrefix = "/meta/token-names/"
    static let secretPrefix = "joist_"

    public func load() async throws {
        let (items, _) = try await store.range(prefix: Self.prefix)
        let decoder = APICoding.decoder()
        let loaded = try items.map { try decoder.decode(StoredToken.self, from: $0.value) }
        tokens.withLock { tokens in
            for stored in loaded { tokens[stored.token.id] = stored }
        }
    }

    /// Creates a token and returns its secret, which is never shown again.
    public func create(_ request: TokenCreate, createdBy: String, now: Date = Date()) async throws -> TokenCreated {
        try ResourceName.validate(request.name, kind: "token")
        let expiresAt = try request.expires.map { now.addingTimeInterval(try Self.lifetime(parsing: $0)) }
        let id = Self.randomHex(bytes: 6)
        let secret = Self.randomHex(bytes: 32)
        let token = Token(
            id: id, name: request.name, role: request.role, project: request.project, createdAt: now,
            expiresAt: expiresAt, createdBy: createdBy)
        let stored = StoredToken(token: token, hash: Self.digest(secret).hex)
        let transaction = Transaction()
            .expect(Self.namePrefix + request.name, .absent)
            .put(Self.namePrefix + request.name, Data(id.utf8))
            .put(Self.prefix + id, try APICoding.encoder().encode(stored))
        do {
            try await store.commit(transaction)
        } catch StoreError.conflict {
            throw JoistError.alreadyExists("token \(request.name) already exists")
        }
        tokens.withLock { $0[id] = stored }
        return TokenCreated(token: token, secret: "\(Self.secretPrefix)\(id).\(secret)")
    }

    /// Every token, sorted by name.
    public func list() -> [Token] {
        tokens.withLock { $0.values.map(\.token) }.sorted { $0.name < $1.name }
    }

    public func get(name: String) throws -> Token {
        guard let token = tokens.withLock({ $0.values.first { $0.token.name == name }?.token }) else {
            throw JoistError.notFound("token \(name) not found")
        }
        return token
    }

    /// Revokes a token at once: the next request carrying it is refused.
    public func revoke(name: String) async throws {
        let token = try get(name: name)
        tokens.withLock { _ = $0.removeValue(forKey: token.id) }
        let transaction = Transaction().delete(Self.namePrefix + name).delete(Self.prefix + token.id)
        try await store.commit(transaction)
    }

    /// The identity an `Authorization` header proves, or `unauthenticated`.
    public func authenticate(authorization: String?, now: Date = Date()) throws(JoistError) -> Identity {
        guard let authorization, authorization.hasPrefix("Bearer ") else {
            throw .unauthenticated("this API needs a token: send 'Authorization: Bearer <token>' (create one with `joist token create`)")
        }
        let bearer = authorization.dropFirst("Bearer ".count).trimmingCharacters(in: .whitespaces)
        guard bearer.hasPrefix(Self.secretPrefix), let dot = bearer.firstIndex(of: ".") else {
            throw .unauthenticated("malformed token")
        }
        let id = String(bearer[bearer.index(bearer.startIndex, offsetBy: Self.secretPrefix.count)..<dot])
        let secret = String(bearer[bearer.index(after: dot)...])
        let stored = tokens.withLock { $0[id] }
        // Hash and compare even for unknown ids, so both paths cost the same.
        let expected = stored.flatMap { Self.bytes(hex: $0.hash) } ?? Array(repeating: 0, count: 32)
        let matches = Self.constantTimeEqual(Array(Self.digest(secret)), expected)
        guard let stored, matches else { throw .unauthenticated("invalid or revoked token") }
        if let expiresAt = stored.token.expiresAt, expiresAt <= now {
            throw .unauthenticated("token \(stored.token.name) expired at \(ISO8601DateFormatter().string(from: expiresAt))")
        }
        return Identity(name: stored.token.name, role: stored.token.role, project: stored.token.project)
    }

    /// Parses lifetimes such as `30d`, `12h`, `90m`, `45s`, `2w` into seconds.
    static func lifetime(parsing text: String) throws(JoistError) -> TimeInterval {
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        guard let unit = text.last, let factor = units[unit], let count = Int(text.dropLast()), count > 0,
            count <= 100_000
        else {
            throw .invalidArgument("invalid expiry '\(text)': use a positive count with s, m, h, d or w, e.g. 30d")
        }
        return TimeInterval(count) * factor
    }

    static func digest(_ secret: String) -> SHA256.Digest { SHA256.hash(data: Data(secret.utf8)) }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.lowercase((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    static func bytes(hex: String) -> [UInt8]? {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0 else { return nil }
        return stride(from: 0, to: chars.count, by: 2).compactMap { UInt8(String(decoding: chars[$0..<$0 + 2], as: UTF8.self), radix: 16) }
    }
}

extension Digest {
    /// Lowercase hex.
    var hex: String { Hex.lowercase(self) }
}
