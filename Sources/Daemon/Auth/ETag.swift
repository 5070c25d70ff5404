import Crypto
import Foundation
import JoistAPI
public import JoistCore

/// Entity tags for updatable documents: a hash of what an update can change, so that unrelated
/// changes (an instance starting) never make an edit look stale.
public enum ETag {
    /// `"<20 hex digits>"`, quoted as HTTP wants.
    public static func of(_ value: some Encodable) -> String {
        let data = (try? APICoding.encoder().encode(value)) ?? Data()
        return "\"" + SHA256.hash(data: data).hex.prefix(20) + "\""
    }

    /// Refuses an update whose `If-Match` (when given) does not name the current tag.
    public static func check(_ ifMatch: String?, current: String, resource: String) throws(JoistError) {
        guard let ifMatch else { return }
        guard !ifMatch.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .invalidArgument("If-Match must name an ETag (or *)")
        }
        let tags = ifMatch.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard tags.contains("*") || tags.contains(current) else {
            throw .preconditionFailed("\(resource) changed since it was read (If-Match \(ifMatch), now \(current)); read it again and retry")
        }
    }
}
