import WinteropWire

/// `wfd_uibc_capability` (WFD-NOTES 3): `none`, or
/// `input_category_list=…;generic_cap_list=…;hidc_cap_list=<type>/<path>, …;port=<n|none>`,
/// each list `none` or items separated by `, `.
public struct WFDUIBCCapability: Sendable, Hashable {
    public struct HIDC: Sendable, Hashable {
        public var type: String
        public var path: String
        public init(type: String, path: String) {
            self.type = type
            self.path = path
        }
    }

    public var inputCategories: [String]
    public var genericCapabilities: [String]
    public var hidcCapabilities: [HIDC]
    /// The source's UIBC TCP port (M4), `none` in a sink's M3 answer.
    public var port: UInt16?

    public init(inputCategories: [String], genericCapabilities: [String], hidcCapabilities: [HIDC], port: UInt16?) {
        self.inputCategories = inputCategories
        self.genericCapabilities = genericCapabilities
        self.hidcCapabilities = hidcCapabilities
        self.port = port
    }

    static let name = "wfd_uibc_capability"
    static let keys = ["input_category_list", "generic_cap_list", "hidc_cap_list", "port"]

    /// nil for `none`.
    public static func parse(_ value: String) throws(WireError) -> WFDUIBCCapability? {
        if value == "none" { return nil }
        let reference = WFD.parameter(name)
        let parts = value.split(separator: ";", omittingEmptySubsequences: false)
        guard parts.count == keys.count else {
            throw reference.error("\(parts.count) fields; expected \(keys.joined(separator: ";"))")
        }
        var values: [Substring] = []
        for (part, key) in zip(parts, keys) {
            let trimmed = Substring(part.rtspTrimmed)
            guard trimmed.hasPrefix(key + "=") else { throw reference.error("\"\(trimmed)\" is not \(key)=…") }
            values.append(trimmed.dropFirst(key.count + 1))
        }
        func list(_ text: Substring) throws(WireError) -> [String] {
            if text == "none" { return [] }
            let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.rtspTrimmed }
            guard !items.contains(where: { $0.isEmpty || $0.contains(" ") }) else { throw reference.error("list \"\(text)\" has an empty or spaced item") }
            return items
        }
        var hidc: [HIDC] = []
        for item in try list(values[2]) {
            let pair = item.split(separator: "/", omittingEmptySubsequences: false)
            guard pair.count == 2, !pair[0].isEmpty, !pair[1].isEmpty else { throw reference.error("HIDC capability \"\(item)\" is not type/path") }
            hidc.append(HIDC(type: String(pair[0]), path: String(pair[1])))
        }
        let port: UInt16? = values[3] == "none" ? nil : try ParameterScanner.decimal(values[3], field: "port", reference: reference)
        return WFDUIBCCapability(inputCategories: try list(values[0]), genericCapabilities: try list(values[1]), hidcCapabilities: hidc, port: port)
    }

    public var rendered: String {
        func list(_ items: [String]) -> String { items.isEmpty ? "none" : items.joined(separator: ", ") }
        return "input_category_list=\(list(inputCategories));generic_cap_list=\(list(genericCapabilities));"
            + "hidc_cap_list=\(list(hidcCapabilities.map { "\($0.type)/\($0.path)" }));port=\(port.map(String.init) ?? "none")"
    }
}
