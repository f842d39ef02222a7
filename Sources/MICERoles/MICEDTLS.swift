import MICECore
import WinteropTransport
import WinteropWire

/// One step of a DTLS handshake: the records to send (each in its own
/// SECURITY_HANDSHAKE) and, once finished, what was negotiated.
public struct MICEDTLSStep: Sendable {
    public var records: [[UInt8]]
    public var completion: MICEDTLSCompletion?

    public init(records: [[UInt8]], completion: MICEDTLSCompletion?) {
        self.records = records
        self.completion = completion
    }
}

/// What a finished handshake negotiated, for the `dtls_complete` event.
public struct MICEDTLSCompletion: Sendable, Hashable {
    public var protocolVersion: String
    public var cipher: String
    public var srtpProfile: String?

    public init(protocolVersion: String, cipher: String, srtpProfile: String?) {
        self.protocolVersion = protocolVersion
        self.cipher = cipher
        self.srtpProfile = srtpProfile
    }
}

/// The DTLS engine as the MS-MICE shells use it: records in, records out, no I/O of
/// its own and no retransmission (the tunnel is TCP; DESIGN.md). Used on one event
/// loop only.
public protocol MICEDTLSSession: AnyObject {
    /// The client's first flight (ClientHello); the server returns no records.
    func start() throws -> MICEDTLSStep
    /// Feeds one Security Token (one DTLS record).
    func receiveHandshake(_ record: [UInt8]) throws -> MICEDTLSStep
    /// Seals a TLVArray into one DTLS application-data record.
    func seal(_ plaintext: [UInt8]) throws -> [UInt8]
    /// Opens one DTLS application-data record.
    func open(_ record: [UInt8]) throws -> [UInt8]
}

/// Makes DTLS sessions for each connection.
public protocol MICEDTLSFactory: Sendable {
    func makeServer() throws -> any MICEDTLSSession
    func makeClient() throws -> any MICEDTLSSession
}

/// Thrown when a role needs DTLS but this build has no DTLS engine.
struct MICEDTLSUnavailable: Error, CustomStringConvertible {
    var description: String { "DTLS is not available in this build" }
}
