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

    /// Why `text` is not hex for ``decode(_:)``, in words: the first character that is
    /// no hex digit, or an odd number of digits. Nil when it decodes.
    public static func problem(_ text: String) -> String? {
        guard decode(text) == nil else { return nil }
        var digits = 0
        for (position, character) in text.enumerated() {
            if character.hexDigitValue != nil { digits += 1; continue }
            if character.isWhitespace || ":-,".contains(character) { continue }
            if character == "x" || character == "X" { continue }
            return "'\(character)' at position \(position + 1) is not a hex digit"
        }
        if digits % 2 == 1 { return "\(digits) hex digits is an odd number: each byte takes two" }
        return "'x' may only follow a 0 as a 0x prefix"
    }

    /// Lower-case hex of `bytes`, with `separator` between bytes.
    private static let lowercaseDigits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>, separator: String = "") -> String {
        if separator.isEmpty {
            // Straight into the string's storage: digests are encoded per message.
            let input = Array(bytes)
            return String(unsafeUninitializedCapacity: input.count * 2) { output in
                for (index, byte) in input.enumerated() {
                    output[2 * index] = lowercaseDigits[Int(byte >> 4)]
                    output[2 * index + 1] = lowercaseDigits[Int(byte & 0x0F)]
                }
                return input.count * 2
            }
        }
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
