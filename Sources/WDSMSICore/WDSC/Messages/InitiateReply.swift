import NIOCore
import WinteropWire
import WinteropFormat

/// The WDSMC_OP_INITIATE reply (2.2.1): the multicast session and how its packets are secured.
public struct InitiateReply: Sendable, Hashable {
    /// TpMcAddress.Port (ULONG): the session's UDP port.
    public var multicastPort: UInt16
    /// TpMcAddress.Address (BLOB): 4 or 16 bytes.
    public var multicastAddress: IPAddress
    /// TpUniAddress.Port (ULONG): MUST equal the multicast port.
    public var unicastPort: UInt16
    /// TpUniAddress.Address (BLOB): the server's interface address.
    public var unicastAddress: IPAddress
    /// SessionId (ULONG).
    public var sessionId: UInt32
    /// ContentSize (ULONG64).
    public var contentSize: UInt64
    /// BlockSize (ULONG).
    public var blockSize: UInt32
    /// TotalBlocks (ULONG64).
    public var totalBlocks: UInt64
    /// ContentMetadata (BLOB); absent when the content has none (3.1.5.2).
    public var contentMetadata: [UInt8]?
    /// SymKey (BLOB): the HMAC key.
    public var symKey: [UInt8]?
    /// SignKey (BLOB): the server's public RSA key.
    public var signKey: [UInt8]?
    /// HashAlgId (ULONG).
    public var hashAlgId: UInt32?
    /// HMACAlgId (ULONG).
    public var hmacAlgId: UInt32?
    /// SecMode (ULONG).
    public var secMode: SecurityModes?
    /// UserSid (BLOB): the requesting user's SID (MS-DTYP 2.4.2).
    public var userSid: [UInt8]?

    public init(
        multicastPort: UInt16, multicastAddress: IPAddress, unicastPort: UInt16, unicastAddress: IPAddress,
        sessionId: UInt32, contentSize: UInt64, blockSize: UInt32, totalBlocks: UInt64,
        contentMetadata: [UInt8]? = nil, symKey: [UInt8]? = nil, signKey: [UInt8]? = nil,
        hashAlgId: UInt32? = nil, hmacAlgId: UInt32? = nil, secMode: SecurityModes? = nil, userSid: [UInt8]? = nil
    ) {
        self.multicastPort = multicastPort
        self.multicastAddress = multicastAddress
        self.unicastPort = unicastPort
        self.unicastAddress = unicastAddress
        self.sessionId = sessionId
        self.contentSize = contentSize
        self.blockSize = blockSize
        self.totalBlocks = totalBlocks
        self.contentMetadata = contentMetadata
        self.symKey = symKey
        self.signKey = signKey
        self.hashAlgId = hashAlgId
        self.hmacAlgId = hmacAlgId
        self.secMode = secMode
        self.userSid = userSid
    }

    static let reference = WDSMSI.reference("2.2.1")

    /// Reads a successful reply's variables (OpCode-ErrorCode ERROR_SUCCESS).
    public init(_ packet: WDSC.Packet) throws(WireError) {
        let reference = Self.reference
        guard packet.endpointGUID == WDSMSI.endpointGUID else {
            throw WDSC.reference("3.2.4").error("the reply's Endpoint GUID \(packet.endpointGUID) is not the one requested")
        }
        guard packet.opCodeOrErrorCode == Win32Error.success.code else {
            throw WDSC.reference("3.2.4").error("the reply carries error \(Win32Error(packet.opCodeOrErrorCode))")
        }
        func port(_ name: String) throws(WireError) -> UInt16 {
            let value = try packet.required(name, try packet.optionalULong(name, reference), reference)
            guard let port = UInt16(exactly: value) else {
                throw reference.error("\(name) \(value) is not a UDP port")
            }
            return port
        }
        func address(_ name: String) throws(WireError) -> IPAddress {
            let bytes = try packet.required(name, try packet.optionalBlob(name, reference), reference)
            guard let address = IPAddress(bytes: bytes) else {
                throw reference.error("\(name) must be 4 (IPv4) or 16 (IPv6) bytes but is \(bytes.count)")
            }
            return address
        }
        multicastPort = try port("TpMcAddress.Port")
        multicastAddress = try address("TpMcAddress.Address")
        unicastPort = try port("TpUniAddress.Port")
        unicastAddress = try address("TpUniAddress.Address")
        sessionId = try packet.required("SessionId", try packet.optionalULong("SessionId", reference), reference)
        contentSize = try packet.required("ContentSize", try packet.optionalULong64("ContentSize", reference), reference)
        blockSize = try packet.required("BlockSize", try packet.optionalULong("BlockSize", reference), reference)
        totalBlocks = try packet.required("TotalBlocks", try packet.optionalULong64("TotalBlocks", reference), reference)
        contentMetadata = try packet.optionalBlob("ContentMetadata", reference)
        symKey = try packet.optionalBlob("SymKey", reference)
        signKey = try packet.optionalBlob("SignKey", reference)
        hashAlgId = try packet.optionalULong("HashAlgId", reference)
        hmacAlgId = try packet.optionalULong("HMACAlgId", reference)
        if symKey != nil, hashAlgId == nil || hmacAlgId == nil {
            throw reference.error("SymKey is present, so HashAlgId and HMACAlgId must be too")
        }
        if let raw = try packet.optionalULong("SecMode", reference) {
            guard let modes = SecurityModes(secModeValue: raw) else {
                throw reference.error("SecMode 0x\(String(raw, radix: 16)) holds a value that is not a security mode")
            }
            secMode = modes
        } else {
            secMode = nil
        }
        userSid = try packet.optionalBlob("UserSid", reference)
    }

    /// The reply packet, variables in the order of section 4's example.
    public func packet() -> WDSC.Packet {
        var variables: [WDSC.Variable] = [
            WDSC.Variable("TpMcAddress.Port", .ulong(UInt32(multicastPort))),
            WDSC.Variable("TpMcAddress.Address", .blob(multicastAddress.bytes)),
            WDSC.Variable("TpUniAddress.Port", .ulong(UInt32(unicastPort))),
            WDSC.Variable("TpUniAddress.Address", .blob(unicastAddress.bytes)),
            WDSC.Variable("ContentSize", .ulong64(contentSize)),
            WDSC.Variable("TotalBlocks", .ulong64(totalBlocks)),
            WDSC.Variable("BlockSize", .ulong(blockSize)),
            WDSC.Variable("SessionId", .ulong(sessionId)),
        ]
        if let contentMetadata { variables.append(WDSC.Variable("ContentMetadata", .blob(contentMetadata))) }
        if let signKey { variables.append(WDSC.Variable("SignKey", .blob(signKey))) }
        if let symKey { variables.append(WDSC.Variable("SymKey", .blob(symKey))) }
        if let userSid { variables.append(WDSC.Variable("UserSid", .blob(userSid))) }
        if let hmacAlgId { variables.append(WDSC.Variable("HMACAlgId", .ulong(hmacAlgId))) }
        if let hashAlgId { variables.append(WDSC.Variable("HashAlgId", .ulong(hashAlgId))) }
        if let secMode { variables.append(WDSC.Variable("SecMode", .ulong(secMode.secModeValue))) }
        return WDSC.Packet(endpointGUID: WDSMSI.endpointGUID, packetType: .reply, opCodeOrErrorCode: Win32Error.success.code, variables: variables)
    }

    public func encoded() throws(EncodingError) -> ByteBuffer {
        try packet().encoded()
    }

    /// A reply that only carries an error code in OpCode-ErrorCode (MS-WDSC 3.1.4.2).
    public static func errorPacket(_ error: Win32Error) -> WDSC.Packet {
        WDSC.Packet(endpointGUID: WDSMSI.endpointGUID, packetType: .reply, opCodeOrErrorCode: error.code, variables: [])
    }
}

extension InitiateReply {
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("multicastAddress", .string(multicastAddress.description)),
            ("multicastPort", .integer(multicastPort)),
            ("unicastAddress", .string(unicastAddress.description)),
            ("unicastPort", .integer(unicastPort)),
            ("sessionId", .integer(sessionId)),
            ("contentSize", .integer(contentSize)),
            ("blockSize", .integer(blockSize)),
            ("totalBlocks", .integer(totalBlocks)),
        ]
        if let contentMetadata { fields.append(("contentMetadata", .hex(contentMetadata))) }
        if let symKey { fields.append(("symKey", .hex(symKey))) }
        if let signKey { fields.append(("signKey", .hex(signKey))) }
        if let hashAlgId { fields.append(("hashAlgId", .integer(hashAlgId))) }
        if let hmacAlgId { fields.append(("hmacAlgId", .integer(hmacAlgId))) }
        if let secMode {
            fields.append(("secMode", .integer(secMode.secModeValue)))
            fields.append(("serverSecurityMode", .string(secMode.server.specName)))
            fields.append(("clientSecurityMode", .string(secMode.client.specName)))
        }
        if let userSid { fields.append(("userSid", .hex(userSid))) }
        return .object(fields)
    }
}
