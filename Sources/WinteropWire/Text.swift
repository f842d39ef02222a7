import NIOCore

/// ASCII text: every byte below 0x80.
public enum ASCII {
    /// Decodes bytes that must all be ASCII.
    @inlinable
    public static func decode(_ bytes: some Collection<UInt8>, field: String, _ reference: SpecReference) throws(WireError) -> String {
        if let bad = bytes.first(where: { $0 >= 0x80 }) {
            throw reference.error("\(field) is not ASCII (byte \(hex(bad)))")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes of `text`, or nil when it has a character outside ASCII.
    @inlinable
    public static func encode(_ text: String) -> [UInt8]? {
        let bytes = Array(text.utf8)
        return bytes.allSatisfy({ $0 < 0x80 }) ? bytes : nil
    }
}

/// UTF-16 little-endian text, as Windows writes it.
public enum UTF16LE {
    /// Decodes UTF-16LE bytes. A leading byte-order mark (FF FE) is dropped, the text
    /// ends at the first NUL code unit, and an odd byte count or an unpaired surrogate
    /// is an error.
    @inlinable
    public static func decode(_ bytes: some Collection<UInt8>, field: String, _ reference: SpecReference) throws(WireError) -> String {
        guard bytes.count % 2 == 0 else {
            throw reference.error("\(field) is UTF-16LE but has an odd length of \(bytes.count) bytes")
        }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var iterator = bytes.makeIterator()
        while let low = iterator.next(), let high = iterator.next() {
            let unit = UInt16(low) | UInt16(high) << 8
            if unit == 0 { break }
            units.append(unit)
        }
        let body = units.first == 0xFEFF ? units[1...] : units[...]
        // Transcode to UTF-8 in one buffer, rejecting unpaired surrogates
        // (String(decoding:) would silently replace them).
        var utf8: [UInt8] = []
        utf8.reserveCapacity(body.count * 3)
        var decoder = UTF16()
        var unitIterator = body.makeIterator()
        loop: while true {
            switch decoder.decode(&unitIterator) {
            case .scalarValue(let scalar):
                UTF8.encode(scalar) { utf8.append($0) }
            case .emptyInput: break loop
            case .error: throw reference.error("\(field) is not valid UTF-16LE (unpaired surrogate)")
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// The UTF-16LE bytes of `text`, with a NUL code unit appended when `terminated`.
    @inlinable
    public static func encode(_ text: String, terminated: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf16.count * 2 + 2)
        for unit in text.utf16 {
            bytes.append(UInt8(truncatingIfNeeded: unit))
            bytes.append(UInt8(truncatingIfNeeded: unit >> 8))
        }
        if terminated { bytes.append(contentsOf: [0, 0]) }
        return bytes
    }
}
