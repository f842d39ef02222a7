import NIOCore
import WinteropWire
import WinteropFormat

/// Any MS-MICE message (2.2), decoded.
public enum MICEMessage: Sendable, Hashable, JSONDescribable {
    case sourceReady(SourceReadyMessage)
    case stopProjection(StopProjectionMessage)
    case securityHandshake(SecurityHandshakeMessage)
    case sessionRequest(SessionRequestMessage)
    case pinChallenge(PINChallengeMessage)
    case pinResponse(PINResponseMessage)

    public var type: MICEMessageType {
        switch self {
        case .sourceReady: return .sourceReady
        case .stopProjection: return .stopProjection
        case .securityHandshake: return .securityHandshake
        case .sessionRequest: return .sessionRequest
        case .pinChallenge: return .pinChallenge
        case .pinResponse: return .pinResponse
        }
    }

    /// Decodes the TLVArray of a message whose Command is `command`; an unknown
    /// Command is an error (3.1.5.8, 3.2.5.8 tear the connection down).
    public static func decode(command: UInt8, tlvArray: ByteBuffer) throws(WireError) -> MICEMessage {
        try decodeReportingIgnored(command: command, tlvArray: tlvArray).message
    }

    /// Decodes as ``decode(command:tlvArray:)`` does, and also returns the TLVs it skipped
    /// (unknown types, TLVs the message does not define) for the roles to report.
    public static func decodeReportingIgnored(command: UInt8, tlvArray: ByteBuffer) throws(WireError) -> (message: MICEMessage, ignored: [MICEIgnoredTLV]) {
        guard let type = MICEMessageType(rawValue: command) else {
            throw MICE.section("2.2").error("unknown Command \(command)")
        }
        func array<Body: MICEMessageBody>(_ body: Body.Type) throws(WireError) -> MICETLVArray {
            try MICETLVArray(tlvArray, message: type, allowed: Body.allowedTLVs)
        }
        let message: MICEMessage
        let parsed: MICETLVArray
        switch type {
        case .sourceReady:
            parsed = try array(SourceReadyMessage.self)
            message = .sourceReady(try SourceReadyMessage(tlvArray: parsed))
        case .stopProjection:
            parsed = try array(StopProjectionMessage.self)
            message = .stopProjection(try StopProjectionMessage(tlvArray: parsed))
        case .securityHandshake:
            parsed = try array(SecurityHandshakeMessage.self)
            message = .securityHandshake(try SecurityHandshakeMessage(tlvArray: parsed))
        case .sessionRequest:
            parsed = try array(SessionRequestMessage.self)
            message = .sessionRequest(try SessionRequestMessage(tlvArray: parsed))
        case .pinChallenge:
            parsed = try array(PINChallengeMessage.self)
            message = .pinChallenge(try PINChallengeMessage(tlvArray: parsed))
        case .pinResponse:
            parsed = try array(PINResponseMessage.self)
            message = .pinResponse(try PINResponseMessage(tlvArray: parsed))
        }
        return (message, parsed.ignored)
    }

    /// Decodes a plain frame (TLVArray in clear).
    public static func decode(_ frame: MICEFrame) throws(WireError) -> MICEMessage {
        try decode(command: frame.command, tlvArray: ByteBuffer(bytes: frame.payload))
    }

    /// Decodes a whole message's bytes (header and clear TLVArray), which must match Size exactly.
    public static func decode(bytes: [UInt8]) throws(WireError) -> MICEMessage {
        try decode(try MICEFrame.decode(bytes))
    }

    public var body: any MICEMessageBody {
        switch self {
        case .sourceReady(let m): return m
        case .stopProjection(let m): return m
        case .securityHandshake(let m): return m
        case .sessionRequest(let m): return m
        case .pinChallenge(let m): return m
        case .pinResponse(let m): return m
        }
    }

    /// The TLVArray bytes.
    public func tlvArrayBytes() throws(EncodingError) -> [UInt8] {
        var buffer = ByteBuffer()
        try body.writeTLVArray(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// The message as a plain frame.
    public func frame() throws(EncodingError) -> MICEFrame {
        MICEFrame(type: type, payload: try tlvArrayBytes())
    }

    /// The whole message's bytes with the TLVArray in clear.
    public func encoded() throws(EncodingError) -> [UInt8] {
        try frame().encoded()
    }

    public var json: JSONValue { body.json }
}
