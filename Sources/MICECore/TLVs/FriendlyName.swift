import NIOCore
import WinteropWire

/// The Friendly Name TLV's value (2.2.7.1): UTF-16LE text of at most 520 bytes.
/// A leading byte-order mark is accepted on receipt (DESIGN.md) and never sent.
public enum FriendlyName {
    /// The longest value, in bytes.
    public static let maximumLength = 520

    static func decode(_ value: ByteBuffer) throws(WireError) -> String {
        var reader = MICETLVArray.reader(value, .friendlyName)
        guard value.readableBytes <= maximumLength else {
            throw reader.error("Friendly Name is \(value.readableBytes) bytes; the maximum is \(maximumLength)")
        }
        return try reader.readUTF16LE(value.readableBytes, field: "Friendly Name")
    }

    /// The UTF-16LE bytes of `name`; throws when longer than 520 bytes. An empty name
    /// (as decoded from a value of only NULs or a byte-order mark) is sent as one NUL
    /// code unit, since a TLV value holds at least one byte (2.2.7).
    public static func encode(_ name: String) throws(EncodingError) -> [UInt8] {
        let bytes = UTF16LE.encode(name)
        guard !bytes.isEmpty else { return [0x00, 0x00] }
        guard bytes.count <= maximumLength else {
            throw EncodingError("friendly name \"\(name.prefix(20))…\" is \(bytes.count) bytes in UTF-16LE; the maximum is \(maximumLength) (2.2.7.1)")
        }
        return bytes
    }

    /// Whether `name` can be sent: non-empty and at most 520 bytes in UTF-16LE.
    public static func isValid(_ name: String) -> Bool {
        let count = name.utf16.count * 2
        return count > 0 && count <= maximumLength
    }
}
