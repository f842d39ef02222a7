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

    /// Runs one handshake step and hands its outcome to `machine`: the records to send
    /// and whether the handshake finished, or the engine's failure (3.1.5.5, 3.2.5.5).
    mutating func step<Machine: MICEConnectionMachine>(
        _ body: (any MICEDTLSSession) throws -> MICEDTLSStep, driving machine: inout Machine
    ) -> [Machine.Action] {
        do {
            let step = try step(body)
            return machine.dtlsHandshakeProgressed(records: step.records, complete: step.completion != nil)
        } catch {
            return machine.dtlsFailed("\(error)")
        }
    }

    /// What the framing layer handed up, as the state machine takes it: the message
    /// (its TLVArray opened first when TLVArrays are encrypted), each TLV its decoder
    /// skipped passed to `ignoredTLV` (the role's `tlv_ignored` event, 2.2.7); or why
    /// the bytes are malformed (3.1.5.8, 3.2.5.8).
    func receive(
        _ event: MICEFrameEvent, encrypted: Bool, ignoredTLV: (MICEMessageType, MICEIgnoredTLV) -> Void
    ) -> Result<MICEMessage, WireError> {
        switch event {
        case .malformed(let error):
            return .failure(error)
        case .frame(let frame):
            do {
                let (message, ignored) = try message(from: frame, encrypted: encrypted)
                for tlv in ignored { ignoredTLV(message.type, tlv) }
                return .success(message)
            } catch {
                return .failure(error)
            }
        }
    }

    /// The message a frame carries, its TLVArray opened first when `encrypted`, and the
    /// TLVs its decoder skipped.
    private func message(from frame: MICEFrame, encrypted: Bool) throws(WireError) -> (message: MICEMessage, ignored: [MICEIgnoredTLV]) {
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

/// The DTLS side of the sink's and the source's state machines, as the tunnel drives it.
protocol MICEConnectionMachine {
    associatedtype Action
    /// The DTLS engine answered: records to send, and whether the handshake finished.
    mutating func dtlsHandshakeProgressed(records: [[UInt8]], complete: Bool) -> [Action]
    /// The DTLS engine refused what it was fed.
    mutating func dtlsFailed(_ detail: String) -> [Action]
}

extension SinkStateMachine: MICEConnectionMachine {}
extension SourceStateMachine: MICEConnectionMachine {}
