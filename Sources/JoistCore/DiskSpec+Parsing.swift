/// The text form the CLI and the API use: `SOURCE[,bus=virtio-blk|virtio-scsi][,cache=MODE][,discard=on|off]`,
/// where SOURCE is an absolute path or `POOL/NAME`.
///
/// A comma inside a path is written `,,`, as QEMU quotes it, so every path has a text form.
extension DiskSpec: CustomStringConvertible {
    /// Options the text form accepts after the source.
    public static let optionKeys = ["bus", "cache", "discard"]

    /// Parses the text form, refusing unknown options, repeated options and malformed values.
    ///
    /// The format is not part of the text: the daemon detects a file's, and a volume's pool knows it.
    public init(parsing text: String) throws(JoistError) {
        let fields = Self.fields(of: text)
        var spec = DiskSpec(source: try Source(parsing: fields[0]))
        var seen: Set<Substring> = []
        for option in fields.dropFirst() {
            guard let eq = option.firstIndex(of: "="), eq != option.startIndex else {
                throw .invalidArgument("invalid disk option '\(option)' in '\(text)': expected KEY=VALUE")
            }
            let key = option[..<eq]
            let value = String(option[option.index(after: eq)...])
            guard seen.insert(key).inserted else { throw .invalidArgument("disk option \(key) is given twice in '\(text)'") }
            switch key {
            case "bus": spec.bus = try Self.value(value, of: "bus", as: DiskBus.self)
            case "cache": spec.cache = try Self.value(value, of: "cache", as: DiskCache.self)
            case "discard":
                guard value == "on" || value == "off" else {
                    throw .invalidArgument("invalid disk option discard=\(value): expected on or off")
                }
                spec.discard = value == "on"
            default:
                throw .invalidArgument(
                    "unknown disk option '\(key)' in '\(text)'; options are \(Self.optionKeys.joined(separator: ", "))")
            }
        }
        self = spec
    }

    /// The text form, inverse of `init(parsing:)`; options left unset are left out.
    public var description: String {
        var fields = [source.description.replacingOccurrences(of: ",", with: ",,")]
        if let bus { fields.append("bus=\(bus.rawValue)") }
        if let cache { fields.append("cache=\(cache.rawValue)") }
        if let discard { fields.append("discard=\(discard ? "on" : "off")") }
        return fields.joined(separator: ",")
    }

    /// The text form with a file source made absolute, for text typed on a command line, where
    /// relative paths mean the user's directory and not the daemon's.
    ///
    /// A source that starts with `/` is kept; `~` and `~/…` are in `homeDirectory`; `./…` and `../…`
    /// are in `currentDirectory`; two valid names around one `/` are a volume, kept as is; anything
    /// else is a relative path in `currentDirectory`.
    public static func absolutized(_ text: String, currentDirectory: String, homeDirectory: String) -> String {
        let end = sourceEnd(in: text)
        let source = text[..<end]
        let rest = text[end...]
        let escaped = { (directory: String) in directory.replacingOccurrences(of: ",", with: ",,") }
        if source.hasPrefix("/") || isVolume(source) { return text }
        if source == "~" || source.hasPrefix("~/") { return escaped(homeDirectory) + source.dropFirst() + rest }
        return escaped(currentDirectory) + "/" + source + rest
    }

    /// The host file a disk's text form names: its source when that is a path, nil for a volume.
    ///
    /// Only the source is read, so a disk with malformed options still counts as naming its file:
    /// whether a caller may name host files is decided before the rest of the text is checked.
    public static func hostPath(in text: String) -> String? {
        guard case .file(let path)? = try? Source(parsing: fields(of: text)[0]) else { return nil }
        return path
    }

    /// Splits at single commas; `,,` is a literal comma.
    private static func fields(of text: String) -> [String] {
        var fields = [""]
        var characters = text[...]
        while let character = characters.popFirst() {
            if character != "," {
                fields[fields.count - 1].append(character)
            } else if characters.first == "," {
                characters.removeFirst()
                fields[fields.count - 1].append(",")
            } else {
                fields.append("")
            }
        }
        return fields
    }

    /// Where the source ends: at the first single comma, or at the end.
    private static func sourceEnd(in text: String) -> String.Index {
        var index = text.startIndex
        while let comma = text[index...].firstIndex(of: ",") {
            let next = text.index(after: comma)
            guard next < text.endIndex, text[next] == "," else { return comma }
            index = text.index(after: next)
        }
        return text.endIndex
    }

    private static func isVolume(_ source: Substring) -> Bool {
        (try? VolumeReference(parsing: String(source))) != nil
    }

    private static func value<T: RawRepresentable & CaseIterable>(
        _ text: String, of key: String, as type: T.Type
    ) throws(JoistError) -> T where T.RawValue == String {
        guard let value = T(rawValue: text) else {
            let choices = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidArgument("invalid disk option \(key)=\(text): expected one of \(choices)")
        }
        return value
    }
}

extension DiskSpec.Source {
    /// Parses an absolute path or `POOL/NAME`.
    public init(parsing text: String) throws(JoistError) {
        if text.hasPrefix("/") {
            self = .file(text)
            return
        }
        guard text.split(separator: "/", omittingEmptySubsequences: false).count == 2 else {
            throw .invalidArgument("invalid disk '\(text)': expected an absolute path or a volume POOL/NAME")
        }
        do {
            self = .volume(try VolumeReference(parsing: text))
        } catch {
            throw .invalidArgument("invalid disk '\(text)': \(error.message) (a file needs an absolute path)")
        }
    }
}
