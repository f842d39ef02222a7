import MICECore
import NIOCore
import WinteropWire

/// The DTLS side of one TCP 7250 connection, as the sink and the source both use it:
/// makes the DTLS session on first use (the sink is the server, the source the client;
/// DESIGN.md), steps the handshake, opens each received TLVArray and seals each sent
/// one once TLVArrays are encrypted (3.1.5.5, 3.2.5.5). One event loop only.
struct MICEDTLSTunnel {
    enum Role { case server, client }

    let factory: (any MICEDTLSFactory)?
    let role: Role
    /// The spec section whose rule an undecryptable TLVArray breaks.
    let section: String
    private(set) var session: (any MICEDTLSSession)?
    /// What the handshake negotiated, once it finished.
    private(set) var completion: MICEDTLSCompletion?

    init(factory: (any MICEDTLSFactory)?, role: Role, section: String) {
        self.factory = factory
        self.role = role
        self.section = section
    }

    /// Runs one handshake step on the session, making it first when needed.
    mutating func step(_ body: (any MICEDTLSSession) throws -> MICEDTLSStep) throws -> MICEDTLSStep {
        let session: any MICEDTLSSession
        if let existing = self.session {
            session = existing
        } else {
            guard let factory else { throw MICEDTLSUnavailable() }
            session = try role == .server ? factory.makeServer() : factory.makeClient()
            self.session = session
        }
        let step = try body(session)
        if let finished = step.completion { completion = finished }
        return step
    }

    /// The message a frame carries, its TLVArray opened first when `encrypted`, and the
    /// TLVs its decoder skipped (for a `tlv_ignored` event).
    func message(from frame: MICEFrame, encrypted: Bool) throws(WireError) -> (message: MICEMessage, ignored: [MICEIgnoredTLV]) {
        var payload = frame.payload
        if encrypted {
            do {
                guard let session else { throw MICEDTLSUnavailable() }
                payload = try session.open(payload)
            } catch {
                throw MICE.section(section).error("the TLVArray is not a DTLS record this session opens: \(error)")
            }
        }
        return try MICEMessage.decodeReportingIgnored(command: frame.command, tlvArray: ByteBuffer(bytes: payload))
    }

    /// `message` as a frame, its TLVArray sealed into one DTLS record when `encrypted`.
    func frame(_ message: MICEMessage, encrypted: Bool, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        var payload = try message.tlvArrayBytes()
        if encrypted {
            guard let session else { throw MICEDTLSUnavailable() }
            payload = try session.seal(payload)
        }
        var buffer = allocator.buffer(capacity: payload.count + MICEFrame.headerSize)
        try MICEFrame(type: message.type, payload: payload).encode(into: &buffer)
        return buffer
    }
}
