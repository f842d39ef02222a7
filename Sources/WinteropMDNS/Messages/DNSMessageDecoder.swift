import NIOCore
import WinteropWire

/// Strict decoder of one DNS message (RFC 1035 4.1) with Multicast DNS bits (RFC 6762 18).
///
/// Every count is checked against the bytes actually present, every RDATA must fill its
/// RDLENGTH exactly, and compressed names are followed only backwards: each pointer
/// must point before the start of the label run that contains it, so a name can never
/// loop, and its length is bounded by 255 bytes (RFC 1035 2.3.4, 4.1.4).
struct DNSMessageDecoder {
    static let rfc1035 = SpecReference("RFC 1035", "4.1")

    /// The whole message: compression pointers are offsets into it.
    let message: ByteBuffer
    /// Reads the message in order.
    var reader: WireReader

    init(_ buffer: ByteBuffer) {
        self.message = buffer
        self.reader = WireReader(buffer, Self.rfc1035)
    }

    /// The offset of the next unread byte from the start of the message.
    var offset: Int { reader.buffer.readerIndex - message.readerIndex }

    mutating func decodeMessage() throws(WireError) -> DNSMessage {
        reader.reference = Self.rfc1035.section("4.1.1")
        let id = try reader.readUInt16(.big, field: "ID")
        let flags = try reader.readUInt16(.big, field: "flags")
        let questionCount = try reader.readUInt16(.big, field: "QDCOUNT")
        let answerCount = try reader.readUInt16(.big, field: "ANCOUNT")
        let authorityCount = try reader.readUInt16(.big, field: "NSCOUNT")
        let additionalCount = try reader.readUInt16(.big, field: "ARCOUNT")
        // Each question takes at least 5 bytes and each record at least 11: a count that
        // cannot fit in what is left is rejected before anything is allocated for it.
        let minimum = Int(questionCount) * 5 + (Int(answerCount) + Int(authorityCount) + Int(additionalCount)) * 11
        guard minimum <= reader.remaining else {
            throw reader.error(
                "counts declare \(questionCount) questions and \(Int(answerCount) + Int(authorityCount) + Int(additionalCount)) records, which need at least \(minimum) bytes, but \(reader.remaining) follow the header"
            )
        }
        var message = DNSMessage(header: DNSHeader(id: id, flags: flags))
        for index in 0..<Int(questionCount) {
            message.questions.append(try decodeQuestion(index))
        }
        message.answers = try decodeRecords(Int(answerCount), section: "answer")
        message.authorities = try decodeRecords(Int(authorityCount), section: "authority")
        message.additionals = try decodeRecords(Int(additionalCount), section: "additional")
        reader.reference = Self.rfc1035
        try reader.expectEnd("the last record the header counts")
        return message
    }

    mutating func decodeQuestion(_ index: Int) throws(WireError) -> DNSQuestion {
        do {
            let name = try decodeName(field: "QNAME")
            reader.reference = Self.rfc1035.section("4.1.2")
            let type = try reader.readUInt16(.big, field: "QTYPE")
            let qclass = try reader.readUInt16(.big, field: "QCLASS")
            return DNSQuestion(
                name: name, type: DNSRecordType(type), recordClass: DNSClass(qclass & 0x7FFF),
                unicastResponse: qclass & 0x8000 != 0
            )
        } catch {
            throw Self.locate(error, "question \(index + 1)")
        }
    }

    mutating func decodeRecords(_ count: Int, section: String) throws(WireError) -> [DNSResourceRecord] {
        var records: [DNSResourceRecord] = []
        for index in 0..<count {
            do {
                records.append(try decodeRecord())
            } catch {
                throw Self.locate(error, "\(section) record \(index + 1)")
            }
        }
        return records
    }

    /// Adds where in the message an error happened, once, when it is thrown (building
    /// the words for every field read would cost more than decoding it).
    static func locate(_ error: WireError, _ place: String) -> WireError {
        var located = error
        located.message += " (\(place))"
        return located
    }

    mutating func decodeRecord() throws(WireError) -> DNSResourceRecord {
        let name = try decodeName(field: "NAME")
        reader.reference = Self.rfc1035.section("4.1.3")
        let type = DNSRecordType(try reader.readUInt16(.big, field: "TYPE"))
        let rclass = try reader.readUInt16(.big, field: "CLASS")
        let ttl = try reader.readUInt32(.big, field: "TTL")
        let length = Int(try reader.readUInt16(.big, field: "RDLENGTH"))
        try reader.require(length, for: "RDATA")
        let start = offset
        let data = try decodeRecordData(type, length: length)
        guard offset - start == length else {
            throw SpecReference("RFC 1035", "4.1.3").error(
                "\(type) RDATA takes \(offset - start) bytes but RDLENGTH is \(length)"
            )
        }
        return DNSResourceRecord(
            name: name, recordClass: DNSClass(rclass & 0x7FFF), cacheFlush: rclass & 0x8000 != 0,
            ttl: ttl, data: data
        )
    }

    mutating func decodeRecordData(_ type: DNSRecordType, length: Int) throws(WireError) -> DNSRecordData {
        switch type {
        case .a:
            reader.reference = SpecReference("RFC 1035", "3.4.1")
            guard length == 4 else { throw reader.error("A RDATA must be 4 bytes, RDLENGTH is \(length)") }
            return .a(try reader.readBytes(4, field: "ADDRESS"))
        case .aaaa:
            reader.reference = SpecReference("RFC 3596", "2.2")
            guard length == 16 else { throw reader.error("AAAA RDATA must be 16 bytes, RDLENGTH is \(length)") }
            return .aaaa(try reader.readBytes(16, field: "ADDRESS"))
        case .ptr:
            return .ptr(try decodeName(field: "PTRDNAME", within: offset + length))
        case .srv:
            reader.reference = SpecReference("RFC 2782", "RDATA")
            guard length >= 7 else { throw reader.error("SRV RDATA needs at least 7 bytes, RDLENGTH is \(length)") }
            let priority = try reader.readUInt16(.big, field: "Priority")
            let weight = try reader.readUInt16(.big, field: "Weight")
            let port = try reader.readUInt16(.big, field: "Port")
            let target = try decodeName(field: "Target", within: offset + length - 6)
            return .srv(priority: priority, weight: weight, port: port, target: target)
        case .txt:
            // RFC 6763 6.1: an empty TXT record is one zero byte; zero strings are not allowed.
            reader.reference = SpecReference("RFC 6763", "6.1")
            guard length > 0 else { throw reader.error("TXT RDATA is empty; it must hold at least one string (a single zero byte when there is nothing to say)") }
            reader.reference = SpecReference("RFC 1035", "3.3.14")
            var strings: [[UInt8]] = []
            let end = offset + length
            while offset < end {
                let stringLength = Int(try reader.readUInt8(field: "TXT string length"))
                guard offset + stringLength <= end else {
                    throw reader.error("TXT string of \(stringLength) bytes runs past RDLENGTH \(length)")
                }
                strings.append(try reader.readBytes(stringLength, field: "TXT string"))
            }
            return .txt(strings)
        case .nsec:
            // A malformed NSEC (python-zeroconf 0.47, Debian 12's, writes an empty bitmap)
            // stays inside its RDLENGTH: keep it as opaque RDATA (RFC 3597) so that the
            // message's other records still count. Nothing here relies on a peer's NSEC.
            let saved = reader
            do {
                return try decodeNSEC(length: length)
            } catch {
                reader = saved
                return .opaque(type: type, bytes: try reader.readBytes(length, field: "RDATA"))
            }
        default:
            return .opaque(type: type, bytes: try reader.readBytes(length, field: "RDATA"))
        }
    }

    /// NSEC (RFC 4034 4.1): next domain name, then type bitmaps in increasing window order,
    /// each 1 to 32 bytes long (RFC 4034 4.1.2).
    mutating func decodeNSEC(length: Int) throws(WireError) -> DNSRecordData {
        let end = offset + length
        let next = try decodeName(field: "Next Domain Name", within: end)
        reader.reference = SpecReference("RFC 4034", "4.1.2")
        var types: [DNSRecordType] = []
        var previousWindow = -1
        while offset < end {
            let window = Int(try reader.readUInt8(field: "Window Block"))
            let bitmapLength = Int(try reader.readUInt8(field: "Bitmap Length"))
            guard window > previousWindow else {
                throw reader.error("NSEC window \(window) does not follow window \(previousWindow) in increasing order")
            }
            guard (1...32).contains(bitmapLength) else {
                throw reader.error("NSEC bitmap length \(bitmapLength) is not 1 to 32")
            }
            guard offset + bitmapLength <= end else {
                throw reader.error("NSEC bitmap of \(bitmapLength) bytes runs past RDLENGTH \(length)")
            }
            let bitmap = try reader.readBytes(bitmapLength, field: "Bitmap")
            for (byteIndex, byte) in bitmap.enumerated() where byte != 0 {
                for bit in 0..<8 where byte & (0x80 >> bit) != 0 {
                    types.append(DNSRecordType(UInt16(window * 256 + byteIndex * 8 + bit)))
                }
            }
            previousWindow = window
        }
        return .nsec(next: next, types: types)
    }

    /// Reads a possibly compressed name (RFC 1035 4.1.4) at the current position.
    ///
    /// - `within`: the offset the name's in-place bytes must not pass (the end of RDATA).
    mutating func decodeName(field: String, within limit: Int? = nil) throws(WireError) -> DNSName {
        let reference = SpecReference("RFC 1035", "4.1.4")
        let lengthReference = SpecReference("RFC 1035", "2.3.4")
        let total = message.readableBytes
        let base = message.readerIndex
        var labels: [[UInt8]] = []
        var wireLength = 1
        // Where the label run being read started: a pointer must point before it.
        var runStart = offset
        var position = offset
        var jumped = false
        var resumeAt = offset
        while true {
            if !jumped, let limit, position >= limit {
                throw reference.error("\(field) runs past the end of its RDATA")
            }
            guard position < total else {
                throw reference.error("truncated: \(field) has no terminating zero label before the end of the message")
            }
            let lengthByte = message.getInteger(at: base + position, as: UInt8.self) ?? 0
            switch lengthByte & 0xC0 {
            case 0x00:
                let length = Int(lengthByte)
                if length == 0 {
                    if !jumped { resumeAt = position + 1 }
                    if let limit, resumeAt > limit {
                        throw reference.error("\(field) runs past the end of its RDATA")
                    }
                    try reader.skip(resumeAt - offset, field: field)
                    return DNSName(validatedLabels: labels)
                }
                wireLength += 1 + length
                guard wireLength <= DNSName.maxWireLength else {
                    throw lengthReference.error("\(field) is longer than 255 bytes")
                }
                guard position + 1 + length <= total else {
                    throw reference.error("truncated: a label of \(length) bytes in \(field) runs past the end of the message")
                }
                if !jumped, let limit, position + 1 + length > limit {
                    throw reference.error("a label of \(field) runs past the end of its RDATA")
                }
                guard let label = message.getBytes(at: base + position + 1, length: length) else {
                    throw reference.error("truncated: \(field)")
                }
                labels.append(label)
                position += 1 + length
            case 0xC0:
                guard position + 2 <= total, let word = message.getInteger(at: base + position, as: UInt16.self) else {
                    throw reference.error("truncated: compression pointer in \(field)")
                }
                if !jumped, let limit, position + 2 > limit {
                    throw reference.error("compression pointer of \(field) runs past the end of its RDATA")
                }
                let target = Int(word & 0x3FFF)
                guard target < runStart else {
                    throw reference.error(
                        "compression pointer in \(field) at offset \(position) points to \(target), not before \(runStart) where its labels began (a loop or a forward pointer)"
                    )
                }
                guard target >= DNSHeader.size else {
                    throw reference.error("compression pointer in \(field) points into the header (offset \(target))")
                }
                if !jumped {
                    resumeAt = position + 2
                    jumped = true
                }
                runStart = target
                position = target
            default:
                // 0x40 and 0x80: the reserved label types (RFC 1035 4.1.4; RFC 6891 5 retired 0x40).
                throw reference.error("\(field) has a label type 0x\(String(lengthByte & 0xC0, radix: 16)) that is neither a length nor a pointer")
            }
        }
    }
}
