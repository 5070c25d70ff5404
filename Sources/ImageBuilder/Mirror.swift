import Foundation
import JoistCore

/// The Debian mirror the host's apt uses, found in its sources: the builder installs from it, so a
/// build downloads nothing but Debian packages, from where the host already gets them.
public enum Mirror {
    /// The first `deb` source of Debian's main archive (a URI ending in `/debian`, not the security
    /// archive) in one-line (`.list`) or deb822 (`.sources`) files, given as (file name, contents).
    public static func find(in sources: [(name: String, contents: String)]) -> String? {
        for source in sources {
            let uris = source.name.hasSuffix(".sources") ? deb822URIs(source.contents) : oneLineURIs(source.contents)
            if let uri = uris.first(where: isMainArchive) { return uri }
        }
        return nil
    }

    /// Reads `/etc/apt/sources.list` and the `.list` and `.sources` files in `sources.list.d`
    /// (under `root`), in apt's order, and finds the mirror; refuses when none names Debian's archive.
    public static func host(root: String = "") throws(JoistError) -> String {
        var sources: [(name: String, contents: String)] = []
        let list = root + "/etc/apt/sources.list"
        if let contents = try? String(contentsOfFile: list, encoding: .utf8) { sources.append((list, contents)) }
        let folder = root + "/etc/apt/sources.list.d"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        for name in names where name.hasSuffix(".list") || name.hasSuffix(".sources") {
            if let contents = try? String(contentsOfFile: folder + "/" + name, encoding: .utf8) { sources.append((name, contents)) }
        }
        guard let mirror = find(in: sources) else {
            throw .invalidState("cannot build an image: the host's apt sources (\(list), \(folder)) name no Debian mirror to install from")
        }
        return try validate(mirror)
    }

    /// Accepts an `http` or `https` URL of plain characters (it reaches debootstrap's command line
    /// and the image's apt sources); a trailing slash is dropped.
    public static func validate(_ mirror: String) throws(JoistError) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/@%+")
        let lowered = mirror.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://"), mirror.unicodeScalars.allSatisfy(allowed.contains),
            mirror.count < 512
        else {
            throw .invalidArgument("'\(mirror)' is not a Debian mirror's http(s) URL")
        }
        return mirror.hasSuffix("/") ? String(mirror.dropLast()) : mirror
    }

    private static func isMainArchive(_ uri: String) -> Bool {
        let trimmed = uri.hasSuffix("/") ? String(uri.dropLast()) : uri
        let lowered = trimmed.lowercased()
        return (lowered.hasPrefix("http://") || lowered.hasPrefix("https://")) && lowered.hasSuffix("/debian")
    }

    /// `deb [options] URI suite components…` lines.
    private static func oneLineURIs(_ contents: String) -> [String] {
        contents.split(separator: "\n").compactMap { line in
            var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard words.first == "deb" else { return nil }
            words.removeFirst()
            if words.first?.hasPrefix("[") == true {
                while let word = words.first, !word.hasSuffix("]") { words.removeFirst() }
                if !words.isEmpty { words.removeFirst() }
            }
            return words.first
        }
    }

    /// Stanzas of `Types: deb` with `URIs:` (and not `Enabled: no`).
    private static func deb822URIs(_ contents: String) -> [String] {
        var uris: [String] = []
        let stanzas = contents.components(separatedBy: "\n\n")
        for stanza in stanzas {
            var fields: [String: String] = [:]
            for line in stanza.split(separator: "\n") where !line.hasPrefix("#") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] =
                    line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            guard fields["types"]?.split(separator: " ").contains("deb") == true, fields["enabled"]?.lowercased() != "no" else { continue }
            uris += (fields["uris"] ?? "").split(separator: " ").map(String.init)
        }
        return uris
    }
}
