import WinteropWire

/// The 12-byte message header (RFC 1035 4.1.1), with the rules Multicast DNS adds
/// (RFC 6762 18). The four section counts are not stored: they are the sizes of the
/// message's sections, checked when decoding and written when encoding.
public struct DNSHeader: Hashable, Sendable {
    /// ID: zero in multicast messages (RFC 6762 18.1); a legacy unicast reply repeats the query's (6.7).
    public var id: UInt16
    /// QR: a response (true) or a query.
    public var isResponse: Bool
    /// OPCODE (4 bits): 0 for standard queries; mDNS ignores others (RFC 6762 18.3).
    public var opcode: UInt8
    /// AA: set in every mDNS response (RFC 6762 18.4).
    public var authoritativeAnswer: Bool
    /// TC: in a query, more known answers follow in later packets (RFC 6762 18.5, 7.2).
    public var truncated: Bool
    /// RD: recursion desired (RFC 1035 4.1.1); zero in mDNS (RFC 6762 18.6).
    public var recursionDesired: Bool
    /// RA: recursion available; zero in mDNS (RFC 6762 18.7).
    public var recursionAvailable: Bool
    /// Z: reserved, zero (RFC 6762 18.8).
    public var zero: Bool
    /// AD: authentic data (RFC 4035 3.2.3); zero in mDNS (RFC 6762 18.9).
    public var authenticData: Bool
    /// CD: checking disabled (RFC 4035 3.2.2); zero in mDNS (RFC 6762 18.10).
    public var checkingDisabled: Bool
    /// RCODE (4 bits): zero in mDNS (RFC 6762 18.11).
    public var responseCode: UInt8

    public init(
        id: UInt16 = 0, isResponse: Bool, opcode: UInt8 = 0, authoritativeAnswer: Bool = false,
        truncated: Bool = false, recursionDesired: Bool = false, recursionAvailable: Bool = false,
        zero: Bool = false, authenticData: Bool = false, checkingDisabled: Bool = false, responseCode: UInt8 = 0
    ) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode & 0x0F
        self.authoritativeAnswer = authoritativeAnswer
        self.truncated = truncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.zero = zero
        self.authenticData = authenticData
        self.checkingDisabled = checkingDisabled
        self.responseCode = responseCode & 0x0F
    }

    /// The 16 flag bits of the header's second word (RFC 1035 4.1.1).
    public var flags: UInt16 {
        var value: UInt16 = 0
        if isResponse { value |= 0x8000 }
        value |= UInt16(opcode & 0x0F) << 11
        if authoritativeAnswer { value |= 0x0400 }
        if truncated { value |= 0x0200 }
        if recursionDesired { value |= 0x0100 }
        if recursionAvailable { value |= 0x0080 }
        if zero { value |= 0x0040 }
        if authenticData { value |= 0x0020 }
        if checkingDisabled { value |= 0x0010 }
        value |= UInt16(responseCode & 0x0F)
        return value
    }

    public init(id: UInt16, flags: UInt16) {
        self.init(
            id: id,
            isResponse: flags & 0x8000 != 0,
            opcode: UInt8((flags >> 11) & 0x0F),
            authoritativeAnswer: flags & 0x0400 != 0,
            truncated: flags & 0x0200 != 0,
            recursionDesired: flags & 0x0100 != 0,
            recursionAvailable: flags & 0x0080 != 0,
            zero: flags & 0x0040 != 0,
            authenticData: flags & 0x0020 != 0,
            checkingDisabled: flags & 0x0010 != 0,
            responseCode: UInt8(flags & 0x000F)
        )
    }

    /// The size of the header on the wire.
    public static let size = 12
}
