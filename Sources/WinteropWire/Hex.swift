/// Hexadecimal text, as people paste it: spaces, newlines, colons, dashes and `0x`
/// prefixes are ignored.
public enum Hex {
    /// The bytes spelled by `text`, or nil if it has an odd number of digits or a
    /// character that is not a hex digit or a separator.
    public static func decode(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var high: UInt8? = nil
        var previous: Character? = nil
        for character in text {
            if character == "x" || character == "X" {
                // Only as part of a "0x" prefix, whose 0 was taken as a digit: undo it.
                guard previous == "0", let pending = high, pending == 0 else { return nil }
                high = nil
                previous = character
                continue
            }
            previous = character
            if character.isWhitespace || character == ":" || character == "-" || character == "," { continue }
            guard let digit = character.hexDigitValue else { return nil }
            if let h = high {
                bytes.append(h << 4 | UInt8(digit))
                high = nil
            } else {
                high = UInt8(digit)
            }
        }
        return high == nil ? bytes : nil
    }

    /// Lower-case hex of `bytes`, with `separator` between bytes.
    public static func encode(_ bytes: some Sequence<UInt8>, separator: String = "") -> String {
        let digits: [Character] = Array("0123456789abcdef")
        var text = ""
        var first = true
        for byte in bytes {
            if !first { text += separator }
            first = false
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }
}
