/// The stored and wire form: `{"path": …}` or `{"volume": {"pool": …, "name": …}}`, with the options
/// beside it and unset ones left out, so a record written before volumes existed
/// (`{"path": …, "format": …}`) decodes unchanged.
extension DiskSpec: Codable {
    private enum CodingKeys: String, CodingKey {
        case path, volume, format, bus, cache, discard
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let path = try container.decodeIfPresent(String.self, forKey: .path)
        let volume = try container.decodeIfPresent(VolumeReference.self, forKey: .volume)
        let source: Source
        switch (path, volume) {
        case (let path?, nil): source = .file(path)
        case (nil, let volume?): source = .volume(volume)
        case (.some, .some):
            throw DecodingError.dataCorruptedError(
                forKey: .volume, in: container, debugDescription: "a disk has either a path or a volume, not both")
        case (nil, nil):
            throw DecodingError.keyNotFound(
                CodingKeys.path, .init(codingPath: container.codingPath, debugDescription: "a disk needs a path or a volume"))
        }
        self.init(
            source: source,
            format: try container.decodeIfPresent(DiskFormat.self, forKey: .format),
            bus: try container.decodeIfPresent(DiskBus.self, forKey: .bus),
            cache: try container.decodeIfPresent(DiskCache.self, forKey: .cache),
            discard: try container.decodeIfPresent(Bool.self, forKey: .discard))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch source {
        case .file(let path): try container.encode(path, forKey: .path)
        case .volume(let volume): try container.encode(volume, forKey: .volume)
        }
        try container.encodeIfPresent(format, forKey: .format)
        try container.encodeIfPresent(bus, forKey: .bus)
        try container.encodeIfPresent(cache, forKey: .cache)
        try container.encodeIfPresent(discard, forKey: .discard)
    }
}
