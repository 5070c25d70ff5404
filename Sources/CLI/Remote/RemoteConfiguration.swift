/// The CLI's `config.yaml`: the remotes it knows and which one to use by default.
///
/// ```yaml
/// defaultRemote: prod
/// remotes:
///   prod:
///     url: https://10.0.0.5:8443
///     token: joist_abc.def
///     fingerprint: 3A:F1:…
///     certificate: |
///       -----BEGIN CERTIFICATE-----
///       …
/// ```
///
/// The built-in remote `local` (joistd's Unix socket) is never stored; a missing `defaultRemote` means it.
struct RemoteConfiguration: Codable, Sendable, Equatable {
    /// The remote commands use without `--remote`, or nil for `local`.
    var defaultRemote: String?
    /// The remotes by name.
    var remotes: [String: Entry]

    /// One remote as stored.
    struct Entry: Codable, Sendable, Equatable {
        /// `https://HOST:PORT`.
        var url: String
        /// The bearer token sent with every request.
        var token: String
        /// The pinned server certificate, PEM.
        var certificate: String
        /// The certificate's SHA-256 fingerprint, `AB:CD:…`, as shown when it was added.
        var fingerprint: String
    }

    /// The name of the built-in remote that stands for joistd's Unix socket.
    static let localName = "local"

    /// An empty configuration: only `local`, which is the default.
    init(defaultRemote: String? = nil, remotes: [String: Entry] = [:]) {
        self.defaultRemote = defaultRemote
        self.remotes = remotes
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.defaultRemote = try container.decodeIfPresent(String.self, forKey: .defaultRemote)
        self.remotes = try container.decodeIfPresent([String: Entry].self, forKey: .remotes) ?? [:]
    }

    /// Every remote name, `local` first, then the stored ones in order.
    var allNames: [String] { [Self.localName] + self.remotes.keys.sorted() }

    /// The default remote's name, `local` when none is set.
    var effectiveDefault: String { self.defaultRemote ?? Self.localName }
}
