public import JoistCore
public import Yams

/// User-data as cloud-init reads it, checked before the guest boots: a typo in YAML otherwise shows
/// only as a guest that silently ignored its configuration.
public enum UserData: Equatable {
    /// `#cloud-config` and a YAML mapping (Joist merges its keys and hostname into it).
    case cloudConfig(Node.Mapping)
    /// A script (`#!`) run once at first boot; passed through as it is.
    case script
    /// `#cloud-config-archive` (a YAML list of parts) or a MIME multipart message; passed through.
    case archive

    public static let cloudConfigHeader = "#cloud-config"
    static let archiveHeader = "#cloud-config-archive"

    /// Classifies `text`, or throws `invalidArgument` naming what is wrong (with Yams' line and
    /// column when the YAML does not parse).
    public init(validating text: String) throws(JoistError) {
        let firstLine = text.prefix { !$0.isNewline }.trimmingCharacters(in: .whitespaces)
        if firstLine == Self.archiveHeader {
            guard case .sequence? = try Self.parse(text, header: Self.archiveHeader) else {
                throw .invalidArgument("user-data: a #cloud-config-archive must be a YAML list of parts")
            }
            self = .archive
        } else if firstLine == Self.cloudConfigHeader {
            switch try Self.parse(text, header: Self.cloudConfigHeader) {
            case .mapping(let mapping)?: self = .cloudConfig(mapping)
            case nil: self = .cloudConfig(Node.Mapping([]))
            default: throw .invalidArgument("user-data: #cloud-config must be a YAML mapping (key: value lines), not a list or a single value")
            }
        } else if firstLine.hasPrefix("#!") {
            self = .script
        } else if firstLine.lowercased().hasPrefix("content-type: multipart/") {
            self = .archive
        } else {
            throw .invalidArgument(
                "user-data must start with a #cloud-config line (YAML), #! (a script), #cloud-config-archive or a MIME multipart header; its first line is '\(firstLine.prefix(60))'")
        }
    }

    /// The YAML document of `text` (its header line is a comment to YAML).
    private static func parse(_ text: String, header: String) throws(JoistError) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw .invalidArgument("user-data (\(header)) is not valid YAML: \(describe(error))")
        } catch {
            throw .invalidArgument("user-data (\(header)) is not valid YAML: \(error)")
        }
    }

    /// Yams' problem with its line and column, without the echo of the whole document.
    static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let while_ = context.map { " (\($0.text))" } ?? ""
            return "line \(mark.line), column \(mark.column): \(problem)\(while_)"
        case .reader(let problem, let offset, _, _):
            return "\(problem)" + (offset.map { " at byte \($0)" } ?? "")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return "line \(context.mark.line), column \(context.mark.column): duplicate keys \(duplicates.joined(separator: ", "))"
        default:
            return "\(error)"
        }
    }
}
