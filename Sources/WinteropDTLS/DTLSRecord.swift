/// The content types a DTLS 1.2 record may carry (RFC 6347 4.1, RFC 5246 6.2.1).
public enum DTLSContentType: UInt8, Sendable, CustomStringConvertible {
    case changeCipherSpec = 20
    case alert = 21
    case handshake = 22
    case applicationData = 23

    public var description: String {
        switch self {
        case .changeCipherSpec: "change_cipher_spec"
        case .alert: "alert"
        case .handshake: "handshake"
        case .applicationData: "application_data"
        }
    }
}

/// The 13-byte header of a DTLS record (RFC 6347 4.1):
/// type(1) version(2) epoch(2) sequence_number(6) length(2), all big-endian.
public struct DTLSRecordHeader: Sendable, Equatable {
    public static let size = 13
    /// DTLS 1.0 (0xFEFF): the record version a DTLS 1.2 ClientHello may use (RFC 6347 4.2.1).
    public static let dtls10: UInt16 = 0xFEFF
    /// DTLS 1.2 (0xFEFD).
    public static let dtls12: UInt16 = 0xFEFD
    /// The largest fragment a record may carry: 2^14 + 2048 bytes (RFC 6347 4.1, RFC 5246 6.2.3).
    public static let maximumFragmentLength = 16384 + 2048

    public var contentType: DTLSContentType
    public var version: UInt16
    public var epoch: UInt16
    /// 48 bits.
    public var sequenceNumber: UInt64
    /// The fragment's length, in bytes.
    public var length: Int
}

/// One whole DTLS record inside a payload: its parsed header and its bytes (header included).
public struct DTLSRecord: Sendable, Equatable {
    public var header: DTLSRecordHeader
    public var bytes: ArraySlice<UInt8>
}

/// Splits tunnelled payloads, and what OpenSSL writes, into whole DTLS records.
///
/// MS-MICE carries "DTLS records exactly as a datagram would" in a SECURITY_HANDSHAKE's
/// Security Token TLV (2.2.7.4); a datagram holds one or more whole records (RFC 6347
/// 4.1.1). Every length is checked before it is used; nothing is read past the end.
public enum DTLSRecordSplitter {
    /// The payload's records, in order. Throws `.malformedRecord` unless the payload is
    /// one or more complete records with a known content type, a DTLS 1.0/1.2 version,
    /// a fragment of at most 18432 bytes, and nothing after the last record.
    public static func split(_ payload: [UInt8]) throws(DTLSError) -> [DTLSRecord] {
        guard !payload.isEmpty else {
            throw DTLSError(.malformedRecord, "empty payload: a DTLS datagram holds at least one 13-byte record header")
        }
        var records: [DTLSRecord] = []
        var offset = payload.startIndex
        while offset < payload.endIndex {
            let available = payload.endIndex - offset
            guard available >= DTLSRecordHeader.size else {
                throw DTLSError(.malformedRecord, "truncated DTLS record header at offset \(offset - payload.startIndex): \(available) of 13 bytes")
            }
            let header = try parseHeader(payload, at: offset)
            let recordEnd = offset + DTLSRecordHeader.size + header.length
            guard header.length <= payload.endIndex - offset - DTLSRecordHeader.size else {
                throw DTLSError(.malformedRecord, "truncated DTLS \(header.contentType) record at offset \(offset - payload.startIndex): length \(header.length) but only \(available - DTLSRecordHeader.size) bytes follow the header")
            }
            records.append(DTLSRecord(header: header, bytes: payload[offset..<recordEnd]))
            offset = recordEnd
        }
        return records
    }

    /// Parses and checks the 13-byte header at `offset` (the caller checked that 13 bytes are there).
    static func parseHeader(_ bytes: [UInt8], at offset: Int) throws(DTLSError) -> DTLSRecordHeader {
        let position = offset - bytes.startIndex
        guard let contentType = DTLSContentType(rawValue: bytes[offset]) else {
            throw DTLSError(.malformedRecord, "unknown DTLS content type \(bytes[offset]) at offset \(position) (expected 20 to 23)")
        }
        let version = UInt16(bytes[offset + 1]) << 8 | UInt16(bytes[offset + 2])
        guard version == DTLSRecordHeader.dtls12 || version == DTLSRecordHeader.dtls10 else {
            throw DTLSError(.malformedRecord, "DTLS record at offset \(position) has version 0x\(String(version, radix: 16, uppercase: true)) (expected 0xFEFD DTLS 1.2 or 0xFEFF DTLS 1.0)")
        }
        let epoch = UInt16(bytes[offset + 3]) << 8 | UInt16(bytes[offset + 4])
        var sequence: UInt64 = 0
        for index in 5..<11 {
            sequence = sequence << 8 | UInt64(bytes[offset + index])
        }
        let length = Int(bytes[offset + 11]) << 8 | Int(bytes[offset + 12])
        guard length <= DTLSRecordHeader.maximumFragmentLength else {
            throw DTLSError(.malformedRecord, "DTLS record at offset \(position) claims \(length) bytes (at most 18432 = 2^14 + 2048)")
        }
        // RFC 5246 6.2.1: no zero-length fragments of handshake, alert or change_cipher_spec.
        guard length > 0 || contentType == .applicationData else {
            throw DTLSError(.malformedRecord, "zero-length DTLS \(contentType) record at offset \(position)")
        }
        return DTLSRecordHeader(contentType: contentType, version: version, epoch: epoch, sequenceNumber: sequence, length: length)
    }
}
