/// Joins DTLS records that a tunnel split across several payloads.
///
/// MS-MICE carries DTLS records in SECURITY_HANDSHAKE messages "as a datagram would",
/// but a peer that reads OpenSSL's output in fixed chunks (4096 bytes, say) splits one
/// record across two messages. The reassembler keeps the tail of an unfinished record
/// — at most one record's worth, 13 + 18432 bytes, checked as soon as its header is
/// there — and hands back the whole records once they are complete. Sans-IO.
public struct DTLSRecordReassembler: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    /// Bytes of an unfinished record held back.
    public var pendingCount: Int { pending.count }

    /// Adds one tunnelled payload; returns the complete records it finishes, as one
    /// payload of whole records in order, or nil when a record is still unfinished.
    /// Throws `.malformedRecord` for a header no record has.
    public mutating func append(_ payload: [UInt8]) throws(DTLSError) -> [UInt8]? {
        pending += payload
        var offset = 0
        while pending.count - offset >= DTLSRecordHeader.size {
            let header = try DTLSRecordSplitter.parseHeader(pending, at: offset)
            let end = offset + DTLSRecordHeader.size + header.length
            guard end <= pending.count else { break }
            offset = end
        }
        guard offset > 0 else { return nil }
        let complete = Array(pending[..<offset])
        pending.removeFirst(offset)
        return complete
    }
}
