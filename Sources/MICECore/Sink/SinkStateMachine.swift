import WinteropWire

/// The sink's per-connection state machine of MS-MICE 3.1 (figure 4, `media/image4.png`),
/// sans-IO: each event returns the actions the shell carries out. The shell owns
/// the socket, the DTLS engine and the timers; time enters as `…TimerFired()` events.
public struct SinkStateMachine: Sendable {
    /// What the sink offers on this connection.
    public struct Configuration: Sendable, Hashable {
        /// Whether the sink advertises StreamEncryptionSupported and runs DTLS (3.1.3).
        public var streamEncryptionSupported: Bool
        /// The PIN this connection shows when the source asks for one, or nil when
        /// PIN support is off (3.1.5.4). The shell makes a fresh random one per connection.
        public var pin: String?
        /// The sink's friendly name, sent in its STOP_PROJECTION.
        public var friendlyName: String
        /// Session Establishment Timer without PIN entry (3.1.2: 30 seconds).
        public var sessionEstablishmentTimeout: Duration
        /// Session Establishment Timer once PIN entry is used (3.1.2: 2 minutes).
        public var pinSessionEstablishmentTimeout: Duration
        /// Security Handshake Message Timer (3.1.2: 1 second).
        public var securityHandshakeTimeout: Duration
        /// Wrong PINs tolerated on one connection before teardown.
        public var maximumWrongPINs: Int
        /// With a PIN on display, whether a source that did not pair may still project.
        /// MS-MICE permits it (3.1.5.3); the safe default, like the shipping Crestron
        /// sink's, is no: SOURCE_READY before an accepted PIN tears down.
        public var allowUnpaired: Bool

        public init(
            streamEncryptionSupported: Bool, pin: String?, friendlyName: String,
            sessionEstablishmentTimeout: Duration = .seconds(30),
            pinSessionEstablishmentTimeout: Duration = .seconds(120),
            securityHandshakeTimeout: Duration = .seconds(1),
            maximumWrongPINs: Int = 3,
            allowUnpaired: Bool = false
        ) {
            self.streamEncryptionSupported = streamEncryptionSupported
            self.pin = streamEncryptionSupported ? pin : nil
            self.friendlyName = friendlyName
            self.sessionEstablishmentTimeout = sessionEstablishmentTimeout
            self.pinSessionEstablishmentTimeout = pinSessionEstablishmentTimeout
            self.securityHandshakeTimeout = securityHandshakeTimeout
            self.maximumWrongPINs = maximumWrongPINs
            self.allowUnpaired = allowUnpaired
        }

        /// Whether SOURCE_READY needs an accepted PIN first.
        public var requiresPairing: Bool { pin != nil && !allowUnpaired }

        /// The Capability attribute this configuration advertises (2.2.8.1).
        public var capability: MICECapability {
            MICECapability(streamEncryption: streamEncryptionSupported, pin: pin != nil)
        }
    }

    /// What a session has negotiated so far.
    public struct Session: Sendable, Hashable {
        /// The Security Options of a SESSION_REQUEST, if one came (3.1.1).
        public var securityOptions: SecurityOptions?
        /// The PIN on display, when the source asked for PIN entry and the sink supports it.
        public var pin: String?
        /// Whether TLVArrays are DTLS records now (3.1.5.5: handshake done and a SESSION_REQUEST came).
        public var tlvArraysEncrypted: Bool = false
        /// Whether the DTLS handshake completed (the DTLS Encryption Key is stored).
        public var dtlsComplete: Bool = false
    }

    /// The states of figure 4; each carries what is valid in it.
    public enum State: Sendable, Hashable {
        case notConnected
        case socketConnected
        case sessionRequested(Session)
        case waitingForSecurityHandshake(Session)
        case dtlsHandshake(Session)
        case dtlsHandshakeComplete(Session)
        case waitingForPIN(Session, wrongAttempts: Int)
        case pinChallenge(Session)
        case sourceReady(Session, rtspPort: UInt16)
        case projection(Session)
        case closed(SinkCloseReason)

        public var name: String {
            switch self {
            case .notConnected: return "Not Connected"
            case .socketConnected: return "Socket Connected"
            case .sessionRequested: return "Session Requested"
            case .waitingForSecurityHandshake: return "Waiting for Security Handshake"
            case .dtlsHandshake: return "DTLS Handshake"
            case .dtlsHandshakeComplete: return "DTLS Handshake Complete"
            case .waitingForPIN: return "Waiting For PIN"
            case .pinChallenge: return "PIN Challenge"
            case .sourceReady: return "Source Ready"
            case .projection: return "Projection"
            case .closed: return "Closed"
            }
        }

        var session: Session? {
            switch self {
            case .sessionRequested(let s), .waitingForSecurityHandshake(let s), .dtlsHandshake(let s),
                 .dtlsHandshakeComplete(let s), .waitingForPIN(let s, _), .pinChallenge(let s),
                 .sourceReady(let s, _), .projection(let s):
                return s
            case .notConnected, .socketConnected, .closed:
                return nil
            }
        }
    }

    /// What the application hears about.
    public enum Report: Sendable, Hashable {
        case sessionRequest(SessionRequestMessage)
        case pinDisplayed(String)
        case dtlsComplete
        case pinResult(accepted: Bool, wrongAttempts: Int)
        case sourceReady(SourceReadyMessage)
        case rtspConnected
        case stopProjection(StopProjectionMessage)
    }

    /// What the shell must do, in order.
    public enum Action: Sendable, Hashable {
        case startSessionEstablishmentTimer(Duration)
        case cancelSessionEstablishmentTimer
        case startSecurityHandshakeTimer(Duration)
        case cancelSecurityHandshakeTimer
        /// Hand a Security Token to the DTLS engine (server role) and call
        /// `dtlsHandshakeProgressed` or `dtlsFailed` with its answer.
        case feedDTLS([UInt8])
        /// Send a message; with `encrypted` its TLVArray goes as one DTLS record.
        case send(MICEMessage, encrypted: Bool)
        /// Show the PIN to the person at the sink (3.1.5.4).
        case displayPIN(String)
        /// Connect to the source's IP on this port (3.1.5.3).
        case connectRTSP(port: UInt16)
        case report(Report)
        /// Tear down the 7250 connection (and any RTSP connection) (3.1.5.8, 3.1.6).
        case close(SinkCloseReason)
    }

    public let configuration: Configuration
    /// The sink's and source's IP address bytes on the 7250 connection (PIN salts, 3.1.5.6.1).
    public let sinkAddress: [UInt8]
    public let sourceAddress: [UInt8]
    public private(set) var state: State = .notConnected
    /// The Source ID last seen, used in the sink's STOP_PROJECTION.
    public private(set) var sourceID: SourceID?

    public init(configuration: Configuration, sinkAddress: [UInt8], sourceAddress: [UInt8]) {
        self.configuration = configuration
        self.sinkAddress = sinkAddress
        self.sourceAddress = sourceAddress
    }

    /// Whether received TLVArrays are DTLS records to open before decoding.
    public var tlvArraysEncrypted: Bool { state.session?.tlvArraysEncrypted ?? false }

    /// Whether the DTLS handshake is over (further SECURITY_HANDSHAKE are unexpected).
    public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    // MARK: Connection

    /// A TCP connection on 7250 was accepted (3.1.5.2): Socket Connected, timer started.
    public mutating func connectionEstablished() -> [Action] {
        guard case .notConnected = state else { return [] }
        state = .socketConnected
        return [.startSessionEstablishmentTimer(configuration.sessionEstablishmentTimeout)]
    }

    /// The source closed the connection (3.1.7).
    public mutating func connectionClosed() -> [Action] {
        close(.peerClosed)
    }

    // MARK: Messages

    /// A decoded message arrived.
    public mutating func messageReceived(_ message: MICEMessage) -> [Action] {
        if case .closed = state { return [] }
        if let id = message.sourceID { sourceID = id }
        switch message {
        case .sessionRequest(let request): return sessionRequestReceived(request)
        case .securityHandshake(let handshake): return securityHandshakeReceived(handshake)
        case .sourceReady(let ready): return sourceReadyReceived(ready)
        case .pinChallenge(let challenge): return pinChallengeReceived(challenge)
        case .stopProjection(let stop): return stopProjectionReceived(stop)
        case .pinResponse: return unexpected(.pinResponse)
        }
    }

    /// Bytes that do not decode, or a record that does not open (3.1.5.8).
    public mutating func malformedMessageReceived(_ error: WireError) -> [Action] {
        close(.malformedMessage(error))
    }

    /// 3.1.5.4: store the options and decide the next state. SESSION_REQUEST MUST be
    /// the source's first message (2.2.4), so only Socket Connected takes it.
    mutating func sessionRequestReceived(_ request: SessionRequestMessage) -> [Action] {
        guard case .socketConnected = state else { return unexpected(.sessionRequest) }
        var session = Session(securityOptions: request.securityOptions)
        var actions: [Action] = [.report(.sessionRequest(request))]
        if request.securityOptions.contains(.useDTLSStreamEncryption) && configuration.streamEncryptionSupported {
            if request.securityOptions.contains(.sinkDisplaysPIN), let pin = configuration.pin {
                session.pin = pin
                // 3.1.2: the timer allows 2 minutes once PIN entry is used.
                actions += [
                    .startSessionEstablishmentTimer(configuration.pinSessionEstablishmentTimeout),
                    .displayPIN(pin), .report(.pinDisplayed(pin)),
                ]
            }
            state = .waitingForSecurityHandshake(session)
        } else {
            state = .sessionRequested(session)
        }
        return actions
    }

    /// 3.1.5.5: continue the DTLS handshake in Socket Connected, Waiting for Security
    /// Handshake or DTLS Handshake; anything else tears down.
    mutating func securityHandshakeReceived(_ message: SecurityHandshakeMessage) -> [Action] {
        let session: Session
        switch state {
        case .socketConnected where configuration.streamEncryptionSupported:
            session = Session()
        case .waitingForSecurityHandshake(let s), .dtlsHandshake(let s):
            session = s
        default:
            return unexpected(.securityHandshake)
        }
        state = .dtlsHandshake(session)
        return [.cancelSecurityHandshakeTimer, .feedDTLS(message.securityToken)]
    }

    /// The DTLS engine answered a Security Token: send each record in its own
    /// SECURITY_HANDSHAKE; start the 1-second timer when an answer is expected (3.1.5.5).
    public mutating func dtlsHandshakeProgressed(records: [[UInt8]], complete: Bool) -> [Action] {
        guard case .dtlsHandshake(var session) = state else { return [] }
        var actions: [Action] = records.map {
            .send(.securityHandshake(SecurityHandshakeMessage(securityToken: $0, sourceID: nil)), encrypted: false)
        }
        guard complete else {
            // Waiting for the peer: its answer, the rest of its flight, or the rest of a
            // record split across messages must come within the timer (3.1.6, 3.2.6).
            actions.append(.startSecurityHandshakeTimer(configuration.securityHandshakeTimeout))
            return actions
        }
        session.dtlsComplete = true
        session.tlvArraysEncrypted = session.securityOptions != nil
        actions += [.cancelSecurityHandshakeTimer, .report(.dtlsComplete)]
        if session.pin != nil {
            state = .waitingForPIN(session, wrongAttempts: 0)
        } else {
            state = .dtlsHandshakeComplete(session)
        }
        return actions
    }

    /// The DTLS engine refused what it was fed.
    public mutating func dtlsFailed(_ detail: String) -> [Action] {
        close(.dtlsFailure(detail))
    }

    /// 3.1.5.3: SOURCE_READY in Socket Connected, Session Requested, DTLS Handshake
    /// Complete (no PIN on display) or PIN Challenge → connect back to the RTSP port.
    /// With a PIN on display and unpaired sources not allowed, only PIN Challenge (an
    /// accepted PIN) takes it: every other path tears down without a connect-back.
    mutating func sourceReadyReceived(_ message: SourceReadyMessage) -> [Action] {
        let session: Session
        switch state {
        case .pinChallenge(let s):
            session = s
        case .socketConnected, .sessionRequested, .dtlsHandshakeComplete:
            guard !configuration.requiresPairing else { return close(.unpairedSource) }
            session = state.session ?? Session()
        case .notConnected, .waitingForSecurityHandshake, .dtlsHandshake, .waitingForPIN, .sourceReady, .projection, .closed:
            return unexpected(.sourceReady)
        }
        state = .sourceReady(session, rtspPort: message.rtspPort)
        return [.report(.sourceReady(message)), .connectRTSP(port: message.rtspPort)]
    }

    /// 3.1.5.6: in Waiting For PIN, check SHA-256(PIN ‖ source IP) in constant time;
    /// answer 0x00 with the sink's hash, or 0x01; anywhere else 0x02 and teardown.
    mutating func pinChallengeReceived(_ message: PINChallengeMessage) -> [Action] {
        guard case .waitingForPIN(let session, let wrongAttempts) = state, let pin = session.pin else {
            let encrypted = tlvArraysEncrypted
            let response = PINResponseMessage(pinChallenge: nil, reason: .invalidMessage, sourceID: message.sourceID)
            return [.send(.pinResponse(response), encrypted: encrypted)] + close(.unexpectedPINChallenge)
        }
        let expected = PINHash.compute(pin: pin, senderAddress: sourceAddress)
        if PINHash.constantTimeEqual(expected, message.pinChallenge) {
            let response = PINResponseMessage(
                pinChallenge: PINHash.compute(pin: pin, senderAddress: sinkAddress),
                reason: .pinAccepted, sourceID: message.sourceID
            )
            state = .pinChallenge(session)
            return [
                .report(.pinResult(accepted: true, wrongAttempts: wrongAttempts)),
                .send(.pinResponse(response), encrypted: session.tlvArraysEncrypted),
            ]
        }
        let attempts = wrongAttempts + 1
        let response = PINResponseMessage(pinChallenge: nil, reason: .wrongPIN, sourceID: message.sourceID)
        var actions: [Action] = [
            .report(.pinResult(accepted: false, wrongAttempts: attempts)),
            .send(.pinResponse(response), encrypted: session.tlvArraysEncrypted),
        ]
        if attempts >= configuration.maximumWrongPINs {
            actions += close(.tooManyWrongPINs(attempts))
        } else {
            state = .waitingForPIN(session, wrongAttempts: attempts)
        }
        return actions
    }

    /// 3.1.5.7: the source stops the projection; the session ends.
    mutating func stopProjectionReceived(_ message: StopProjectionMessage) -> [Action] {
        guard case .notConnected = state else {
            return [.report(.stopProjection(message))] + close(.stopProjectionReceived)
        }
        return unexpected(.stopProjection)
    }

    // MARK: RTSP

    /// 3.1.7.1: the connect-back succeeded; the Session Establishment Timer stops.
    public mutating func rtspConnected() -> [Action] {
        guard case .sourceReady(let session, _) = state else { return [] }
        state = .projection(session)
        return [.cancelSessionEstablishmentTimer, .report(.rtspConnected)]
    }

    /// 3.1.7.2: the connect-back failed; tear down 7250.
    public mutating func rtspConnectionFailed(_ detail: String) -> [Action] {
        guard case .sourceReady = state else { return [] }
        return close(.rtspConnectionFailed(detail))
    }

    /// 3.1.7: the RTSP connection was lost; the session closes.
    public mutating func rtspConnectionLost() -> [Action] {
        guard case .projection = state else { return [] }
        return close(.rtspConnectionLost)
    }

    // MARK: Timers

    /// 3.1.6: the Session Establishment Timer expired.
    public mutating func sessionEstablishmentTimerFired() -> [Action] {
        switch state {
        case .notConnected, .projection, .closed: return []
        default: return close(.sessionEstablishmentTimeout)
        }
    }

    /// 3.1.6: the Security Handshake Message Timer expired.
    public mutating func securityHandshakeTimerFired() -> [Action] {
        guard case .dtlsHandshake = state else { return [] }
        return close(.securityHandshakeTimeout)
    }

    // MARK: Higher layer

    /// 3.1.4: the application disconnects: send STOP_PROJECTION, then close.
    public mutating func disconnectRequested() -> [Action] {
        switch state {
        case .notConnected, .closed: return []
        default:
            let stop = StopProjectionMessage(friendlyName: configuration.friendlyName, sourceID: sourceID ?? .zero)
            return [.send(.stopProjection(stop), encrypted: tlvArraysEncrypted)] + close(.localDisconnect)
        }
    }

    /// A newer connection replaces this one (3.1.5.2).
    public mutating func replaced() -> [Action] {
        close(.replaced)
    }

    // MARK: Helpers

    private mutating func unexpected(_ type: MICEMessageType) -> [Action] {
        close(.unexpectedMessage(type, state: state.name))
    }

    private mutating func close(_ reason: SinkCloseReason) -> [Action] {
        if case .closed = state { return [] }
        state = .closed(reason)
        return [.cancelSecurityHandshakeTimer, .cancelSessionEstablishmentTimer, .close(reason)]
    }
}

extension MICEMessage {
    /// The Source ID a message carries, if any.
    public var sourceID: SourceID? {
        switch self {
        case .sourceReady(let m): return m.sourceID
        case .stopProjection(let m): return m.sourceID
        case .securityHandshake(let m): return m.sourceID
        case .sessionRequest(let m): return m.sourceID
        case .pinChallenge(let m): return m.sourceID
        case .pinResponse(let m): return m.sourceID
        }
    }
}
