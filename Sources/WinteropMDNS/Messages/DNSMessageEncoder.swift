import NIOCore
import WinteropWire

/// Writes DNS messages (RFC 1035 4.1) with name compression (RFC 1035 4.1.4): each
/// name, and each name inside PTR, SRV and NSEC data (RFC 6762 18.14), reuses the
/// longest suffix already written.
struct DNSMessageEncoder {
    var buffer = ByteBufferAllocator().buffer(capacity: 512)
    let compress: Bool
    /// Offsets of name suffixes written so far, by their exact labels (matching bytes
    /// exactly, not case-insensitively, keeps every label's case through a round trip).
    private var suffixOffsets: [Suffix: Int] = [:]

    /// A name's labels from some label on (no copy of the labels).
    struct Suffix: Hashable {
        let labels: ArraySlice<[UInt8]>
    }
    private let start: Int

    init(compress: Bool) {
        self.compress = compress
        self.start = buffer.writerIndex
    }

    mutating func encode(_ message: DNSMessage) throws(EncodingError) {
        let sections = [message.questions.count, message.answers.count, message.authorities.count, message.additionals.count]
        for count in sections where count > Int(UInt16.max) {
            throw EncodingError("a section of \(count) entries does not fit a 16-bit count (RFC 1035 4.1.1)")
        }
        buffer.writeInteger(message.header.id)
        buffer.writeInteger(message.header.flags)
        for count in sections { buffer.writeInteger(UInt16(count)) }
        for question in message.questions {
            writeName(question.name)
            buffer.writeInteger(question.type.rawValue)
            buffer.writeInteger((question.recordClass.rawValue & 0x7FFF) | (question.unicastResponse ? 0x8000 : 0))
        }
        for record in message.answers + message.authorities + message.additionals {
            try writeRecord(record)
        }
    }

    mutating func writeRecord(_ record: DNSResourceRecord) throws(EncodingError) {
        writeName(record.name)
        buffer.writeInteger(record.type.rawValue)
        buffer.writeInteger((record.recordClass.rawValue & 0x7FFF) | (record.cacheFlush ? 0x8000 : 0))
        buffer.writeInteger(record.ttl)
        let lengthIndex = buffer.writerIndex
        buffer.writeInteger(UInt16(0))
        let dataStart = buffer.writerIndex
        try writeRecordData(record.data)
        let length = buffer.writerIndex - dataStart
        guard length <= Int(UInt16.max) else {
            throw EncodingError("RDATA of \(length) bytes does not fit RDLENGTH (RFC 1035 4.1.3)")
        }
        buffer.setInteger(UInt16(length), at: lengthIndex)
    }

    mutating func writeRecordData(_ data: DNSRecordData) throws(EncodingError) {
        switch data {
        case .a(let bytes):
            guard bytes.count == 4 else { throw EncodingError("an A address is 4 bytes, not \(bytes.count) (RFC 1035 3.4.1)") }
            buffer.writeBytes(bytes)
        case .aaaa(let bytes):
            guard bytes.count == 16 else { throw EncodingError("an AAAA address is 16 bytes, not \(bytes.count) (RFC 3596 2.2)") }
            buffer.writeBytes(bytes)
        case .ptr(let name):
            writeName(name)
        case .srv(let priority, let weight, let port, let target):
            buffer.writeInteger(priority)
            buffer.writeInteger(weight)
            buffer.writeInteger(port)
            writeName(target)
        case .txt(let strings):
            guard !strings.isEmpty else {
                throw EncodingError("a TXT record holds at least one string; use [[]] for an empty one (RFC 6763 6.1)")
            }
            for string in strings {
                try buffer.writeLengthPrefixed(string, width: .one, .big)
            }
        case .nsec(let next, let types):
            writeName(next)
            Self.writeTypeBitmaps(types, into: &buffer)
        case .opaque(_, let bytes):
            buffer.writeBytes(bytes)
        }
    }

    /// Type bitmaps of NSEC (RFC 4034 4.1.2): one block per 256-type window, in order,
    /// each as long as its last non-zero byte.
    static func writeTypeBitmaps(_ types: [DNSRecordType], into buffer: inout ByteBuffer) {
        var windows: [UInt8: [UInt8]] = [:]
        for type in Set(types) {
            let window = UInt8(type.rawValue >> 8)
            let low = Int(type.rawValue & 0xFF)
            var bitmap = windows[window] ?? []
            let byteIndex = low / 8
            if bitmap.count <= byteIndex { bitmap += [UInt8](repeating: 0, count: byteIndex + 1 - bitmap.count) }
            bitmap[byteIndex] |= 0x80 >> UInt8(low % 8)
            windows[window] = bitmap
        }
        for window in windows.keys.sorted() {
            let bitmap = windows[window] ?? []
            buffer.writeInteger(window)
            buffer.writeInteger(UInt8(bitmap.count))
            buffer.writeBytes(bitmap)
        }
    }

    mutating func writeName(_ name: DNSName) {
        for index in name.labels.indices {
            let suffix = Suffix(labels: name.labels[index...])
            if compress, let offset = suffixOffsets[suffix] {
                buffer.writeInteger(UInt16(0xC000 | offset))
                return
            }
            let here = buffer.writerIndex - start
            if compress, here <= 0x3FFF { suffixOffsets[suffix] = here }
            buffer.writeInteger(UInt8(name.labels[index].count))
            buffer.writeBytes(name.labels[index])
        }
        buffer.writeInteger(UInt8(0))
    }

    /// RDATA uncompressed with names lowercased: the form compared in RFC 6762 8.2 and
    /// used to tell whether two records are the same.
    static func canonicalRDATA(_ data: DNSRecordData) -> [UInt8] {
        var encoder = DNSMessageEncoder(compress: false)
        switch data {
        case .ptr(let name):
            encoder.buffer.writeBytes(name.canonicalWire)
        case .srv(let priority, let weight, let port, let target):
            encoder.buffer.writeInteger(priority)
            encoder.buffer.writeInteger(weight)
            encoder.buffer.writeInteger(port)
            encoder.buffer.writeBytes(target.canonicalWire)
        case .nsec(let next, let types):
            encoder.buffer.writeBytes(next.canonicalWire)
            writeTypeBitmaps(types, into: &encoder.buffer)
        default:
            // A, AAAA, TXT and opaque data are bytes already; malformed values compare by what they hold.
            if (try? encoder.writeRecordData(data)) == nil {
                return Array(data.description.utf8)
            }
        }
        return Array(encoder.buffer.readableBytesView)
    }
}
