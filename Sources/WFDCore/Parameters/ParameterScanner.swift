import WinteropWire

/// Reads a parameter value token by token (fields are separated by single spaces,
/// WFD-NOTES 3), throwing a ``WireError`` that names the parameter and the field.
struct ParameterScanner {
    let reference: SpecReference
    private var tokens: [Substring]
    private var position = 0

    init(_ value: some StringProtocol, parameter: String, separator: Character = " ") {
        self.reference = WFD.parameter(parameter)
        self.tokens = value.split(separator: separator, omittingEmptySubsequences: false).map { Substring($0) }
    }

    var isAtEnd: Bool { position == tokens.count }

    func error(_ message: String) -> WireError { reference.error(message) }

    mutating func token(_ field: String) throws(WireError) -> Substring {
        guard position < tokens.count else { throw error("\(field) is missing") }
        defer { position += 1 }
        let token = tokens[position]
        guard !token.isEmpty else { throw error("\(field) is empty (two spaces in a row?)") }
        return token
    }

    /// Exactly `digits` hex digits (either case).
    mutating func hex<T: FixedWidthInteger & UnsignedInteger>(_ field: String, digits: Int, as: T.Type = T.self) throws(WireError) -> T {
        let text = try token(field)
        return try Self.hex(text, field: field, digits: digits, reference: reference)
    }

    /// `none` or exactly `digits` hex digits.
    mutating func optionalHex<T: FixedWidthInteger & UnsignedInteger>(_ field: String, digits: Int, as: T.Type = T.self) throws(WireError) -> T? {
        let text = try token(field)
        if text == "none" { return nil }
        return try Self.hex(text, field: field, digits: digits, reference: reference)
    }

    mutating func decimal<T: FixedWidthInteger & UnsignedInteger>(_ field: String, as: T.Type = T.self) throws(WireError) -> T {
        let text = try token(field)
        return try Self.decimal(text, field: field, reference: reference)
    }

    /// The rest of the tokens, joined as they came.
    mutating func rest() -> String {
        defer { position = tokens.count }
        return tokens[position...].joined(separator: " ")
    }

    func expectEnd() throws(WireError) {
        guard isAtEnd else {
            throw error("unexpected \"\(tokens[position...].joined(separator: " "))\" after the last field")
        }
    }

    static func hex<T: FixedWidthInteger & UnsignedInteger>(_ text: Substring, field: String, digits: Int, reference: SpecReference) throws(WireError) -> T {
        guard text.utf8.count == digits, text.utf8.allSatisfy(\.isHexDigit), let value = T(text, radix: 16) else {
            throw reference.error("\(field) \"\(text)\" is not \(digits) hex digits")
        }
        return value
    }

    static func decimal<T: FixedWidthInteger & UnsignedInteger>(_ text: Substring, field: String, reference: SpecReference) throws(WireError) -> T {
        guard !text.isEmpty, text.utf8.count <= 20, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = T(text) else {
            throw reference.error("\(field) \"\(text)\" is not a decimal number in range")
        }
        return value
    }
}

/// Lower-case hex of exactly `digits` digits.
func hexField(_ value: some BinaryInteger, digits: Int) -> String {
    let text = String(value, radix: 16)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
}

extension UInt8 {
    var isHexDigit: Bool {
        (self >= 0x30 && self <= 0x39) || (self >= 0x41 && self <= 0x46) || (self >= 0x61 && self <= 0x66)
    }
}
