import NIOCore
import WinteropWire

/// The Timestamp structure's value (2.2.2.12): 100-nanosecond intervals since
/// 1 January 1601 UTC, 8 bytes in network byte order (DESIGN.md's reading of revision 10.0).
public struct FileTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var value: UInt64

    public init(_ value: UInt64) { self.value = value }

    /// Seconds from 1601-01-01 to 1970-01-01.
    static let unixEpochOffset: UInt64 = 11_644_473_600

    /// The FILETIME of a Unix time given in nanoseconds (clamped at 1601).
    public init(unixNanoseconds: Int64) {
        let ticks = Int128(unixNanoseconds) / 100 + Int128(Self.unixEpochOffset) * 10_000_000
        value = UInt64(clamping: max(0, ticks))
    }

    /// The 8 bytes that travel (and that the request HMAC covers, 2.2.3.1).
    public var bytes: [UInt8] {
        withUnsafeBytes(of: value.bigEndian, Array.init)
    }

    static func decode(_ value: ByteBuffer) throws(WireError) -> FileTime {
        var reader = WireReader(value, TCC.section("2.2.2.12"))
        guard value.readableBytes == 8 else {
            throw reader.error("Timestamp Length must be 8 but is \(value.readableBytes)")
        }
        return FileTime(try reader.readUInt64(.big, field: "Timestamp"))
    }

    /// The distance between two times, in 100-nanosecond ticks.
    public func distance(to other: FileTime) -> UInt64 {
        value > other.value ? value - other.value : other.value - value
    }

    /// Unix seconds, for display.
    public var unixSeconds: Double {
        Double(value) / 10_000_000 - Double(Self.unixEpochOffset)
    }

    public static func < (lhs: FileTime, rhs: FileTime) -> Bool { lhs.value < rhs.value }

    public var description: String { "FILETIME \(value)" }
}
