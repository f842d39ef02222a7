import WinteropWire

/// The source's state machine of MS-MICE 3.2 (figure 5, `media/image5.png`), sans-IO.
/// The shell resolves names, connects, runs the DTLS engine (client role), listens
/// on the RTSP port and owns the timers; time enters as `…TimerFired()` events.
public struct SourceStateMachine: Sendable {
    /// How the source will connect, decided from the sink's capabilities (3.2.5.4).
    public struct Configuration: Sendable, Hashable {
        /// The sink's Capability attribute, from discovery or assumed (3.2.1 Sink Capabilities).
        public var sinkCapability: MICECapability
        /// Selected Sink Capabilities: DTLS stream encryption (3.2.1).
        public var useStreamEncryption: Bool
        /// Selected Sink Capabilities: PIN entry (3.2.1); implies stream encryption.
        public var usePINEntry: Bool
        public var friendlyName: String
        public var sourceID: SourceID
        /// The RTSP port the source listens on (2.2.7.2).
        public var rtspPort: UInt16
        /// Discovery timer (3.2.2; Windows uses 1.5 s).
        public var discoveryTimeout: Duration
        /// Control Channel Connection timer (3.2.2; Windows uses 5 s).
        public var controlChannelTimeout: Duration
        /// Security Handshake Message Timer (3.2.2: 1 second).
        public var securityHandshakeTimeout: Duration

        public init(
            sinkCapability: MICECapability, useStreamEncryption: Bool, usePINEntry: Bool,
            friendlyName: String, sourceID: SourceID, rtspPort: UInt16,
            discoveryTimeout: Duration = .milliseconds(1500),
            controlChannelTimeout: Duration = .seconds(5),
            securityHandshakeTimeout: Duration = .seconds(1)
        ) {
            self.sinkCapability = sinkCapability
            self.useStreamEncryption = useStreamEncryption || usePINEntry
            self.usePINEntry = usePINEntry
            self.friendlyName = friendlyName
            self.sourceID = sourceID
            self.rtspPort = rtspPort
            self.discoveryTimeout = discoveryTimeout
            self.controlChannelTimeout = controlChannelTimeout
            self.securityHandshakeTimeout = securityHandshakeTimeout
        }

        /// How the source wants encryption.
        public enum EncryptionPreference: String, Sendable, CaseIterable { case auto, on, off }

        /// Chooses Selected Sink Capabilities (3.2.5.4): encryption when the sink offers
        /// it (SHOULD) unless turned off; PIN entry when the sink offers it and a PIN
        /// is wanted. Returns nil with the reason when the choice is impossible.
        public static func select(
            sink: MICECapability, encryption: EncryptionPreference, wantPIN: Bool
        ) -> (useStreamEncryption: Bool, usePINEntry: Bool)? {
            let encryptionPossible = sink.streamEncryptionSupported
            let useEncryption: Bool
            switch encryption {
            case .off: useEncryption = false
            case .on:
                guard encryptionPossible else { return nil }
                useEncryption = true
            case .auto: useEncryption = encryptionPossible
            }
            let usePIN = wantPIN && sink.pinSupported && useEncryption
            if wantPIN && !usePIN && encryption == .off { return nil }
            return (useEncryption, usePIN)
        }
    }

    public enum State: Sendable, Hashable {
        case idle
        case resolvingHostName
        case connecting
        case securityHandshake
        case waitingForPINEntry
        case waitingForPINResponse(pin: String)
        case sourceReadySent
        case projecting
        case closed(SourceCloseReason)

        public var name: String {
            switch self {
            case .idle: return "Idle"
            case .resolvingHostName: return "Host Name Resolution"
            case .connecting: return "Connecting"
            case .securityHandshake: return "Security Handshake"
            case .waitingForPINEntry: return "PIN Entry"
            case .waitingForPINResponse: return "PIN Challenge"
            case .sourceReadySent: return "Source Ready"
            case .projecting: return "Projection"
            case .closed: return "Closed"
            }
        }
    }

    public enum Report: Sendable, Hashable {
        case sessionRequestSent(SecurityOptions)
        case dtlsComplete
        case pinResult(accepted: Bool, reason: PINResponseReason)
        case sourceReadySent(SourceReadyMessage)
        case rtspConnected
        case stopProjection(StopProjectionMessage)
    }

    public enum Action: Sendable, Hashable {
        case startDiscoveryTimer(Duration)
        case cancelDiscoveryTimer
        case startControlChannelTimer(Duration)
        case cancelControlChannelTimer
        case startSecurityHandshakeTimer(Duration)
        case cancelSecurityHandshakeTimer
        /// Resolve the sink's host name through DNS and mDNS, then call
        /// `hostNameResolved()` or `hostNameResolutionFailed(_:)`.
        case resolveHostName
        /// Connect to the sink's port 7250, then call `connectionEstablished(…)` or `connectionFailed(_:)`.
        case connect
        /// Start the DTLS client and call `dtlsHandshakeProgressed` with its first flight.
        case startDTLS
        /// Hand a Security Token to the DTLS engine.
        case feedDTLS([UInt8])
        /// Send a message; with `encrypted` its TLVArray goes as one DTLS record.
        case send(MICEMessage, encrypted: Bool)
        /// Ask the person for the PIN the sink shows (3.2.5.5), then call `pinEntered(_:)`.
        case requestPIN
        case report(Report)
        /// Close the 7250 connection and the RTSP listener; the attempt or session is over.
        case close(SourceCloseReason)
    }

    public let configuration: Configuration
    public private(set) var state: State = .idle
    /// The PIN, once the higher layer supplied it (3.2.4.2).
    public private(set) var pin: String?
    /// Whether TLVArrays travel as DTLS records (3.2.5.5: handshake done after a SESSION_REQUEST).
    public private(set) var tlvArraysEncrypted = false
    private var sourceAddress: [UInt8] = []
    private var sinkAddress: [UInt8] = []

    public init(configuration: Configuration, pin: String? = nil) {
        self.configuration = configuration
        self.pin = pin
    }

    // MARK: Discovery and connection

    /// 3.2.5.1: begin host name resolution under the Discovery timer.
    public mutating func hostNameResolutionStarted() -> [Action] {
        guard case .idle = state else { return [] }
        state = .resolvingHostName
        return [.startDiscoveryTimer(configuration.discoveryTimeout), .resolveHostName]
    }

    /// 3.2.5.3: addresses are known (resolved, or taken from IP Address attributes):
    /// cancel the Discovery timer, start the Control Channel Connection timer, connect.
    public mutating func hostNameResolved() -> [Action] {
        switch state {
        case .idle, .resolvingHostName:
            state = .connecting
            return [.cancelDiscoveryTimer, .startControlChannelTimer(configuration.controlChannelTimeout), .connect]
        default: return []
        }
    }

    public mutating func hostNameResolutionFailed(_ detail: String) -> [Action] {
        guard case .resolvingHostName = state else { return [] }
        return close(.resolutionFailed(detail))
    }

    /// 3.2.6: the Discovery timer expired.
    public mutating func discoveryTimerFired() -> [Action] {
        guard case .resolvingHostName = state else { return [] }
        return close(.discoveryTimeout)
    }

    /// 3.2.5.4: the 7250 connection failed.
    public mutating func connectionFailed(_ detail: String) -> [Action] {
        guard case .connecting = state else { return [] }
        return close(.connectionFailed(detail))
    }

    /// 3.2.5.4: connected. Send SESSION_REQUEST when PIN entry is selected; then the
    /// first DTLS flight when encryption is selected, otherwise SOURCE_READY (the RTSP
    /// port is already listening).
    public mutating func connectionEstablished(sourceAddress: [UInt8], sinkAddress: [UInt8]) -> [Action] {
        guard case .connecting = state else { return [] }
        self.sourceAddress = sourceAddress
        self.sinkAddress = sinkAddress
        var actions: [Action] = []
        if configuration.usePINEntry {
            let options: SecurityOptions = [.useDTLSStreamEncryption, .sinkDisplaysPIN]
            let request = SessionRequestMessage(securityOptions: options, friendlyName: configuration.friendlyName, sourceID: configuration.sourceID)
            actions += [.send(.sessionRequest(request), encrypted: false), .report(.sessionRequestSent(options))]
        }
        if configuration.useStreamEncryption {
            state = .securityHandshake
            actions.append(.startDTLS)
            return actions
        }
        return actions + sendSourceReady()
    }

    // MARK: DTLS

    /// The DTLS engine produced records (and maybe finished): send each in its own
    /// SECURITY_HANDSHAKE; a flight that needs an answer starts the timer (3.2.5.5).
    public mutating func dtlsHandshakeProgressed(records: [[UInt8]], complete: Bool) -> [Action] {
        guard case .securityHandshake = state else { return [] }
        var actions: [Action] = records.map {
            .send(.securityHandshake(SecurityHandshakeMessage(securityToken: $0, sourceID: configuration.sourceID)), encrypted: false)
        }
        guard complete else {
            // Waiting for the peer: its answer, the rest of its flight, or the rest of a
            // record split across messages must come within the timer (3.1.6, 3.2.6).
            actions.append(.startSecurityHandshakeTimer(configuration.securityHandshakeTimeout))
            return actions
        }
        // 3.2.5.5: after a SESSION_REQUEST, every further TLVArray is encrypted.
        tlvArraysEncrypted = configuration.usePINEntry
        actions += [.cancelSecurityHandshakeTimer, .report(.dtlsComplete)]
        guard configuration.usePINEntry else { return actions + sendSourceReady() }
        if let pin {
            return actions + sendPINChallenge(pin)
        }
        // Waiting for a person: the Control Channel Connection timer pauses until the PIN comes.
        state = .waitingForPINEntry
        return actions + [.cancelControlChannelTimer, .requestPIN]
    }

    public mutating func dtlsFailed(_ detail: String) -> [Action] {
        close(.dtlsFailure(detail))
    }

    // MARK: PIN

    /// 3.2.4.2: the higher layer supplied the PIN.
    public mutating func pinEntered(_ pin: String) -> [Action] {
        self.pin = pin
        guard case .waitingForPINEntry = state else { return [] }
        return [.startControlChannelTimer(configuration.controlChannelTimeout)] + sendPINChallenge(pin)
    }

    public mutating func pinUnavailable(_ detail: String) -> [Action] {
        close(.pinUnavailable(detail))
    }

    private mutating func sendPINChallenge(_ pin: String) -> [Action] {
        state = .waitingForPINResponse(pin: pin)
        let challenge = PINChallengeMessage(
            pinChallenge: PINHash.compute(pin: pin, senderAddress: sourceAddress), sourceID: configuration.sourceID
        )
        return [.send(.pinChallenge(challenge), encrypted: tlvArraysEncrypted), .startSecurityHandshakeTimer(configuration.securityHandshakeTimeout)]
    }

    // MARK: Messages

    public mutating func messageReceived(_ message: MICEMessage) -> [Action] {
        switch (state, message) {
        case (.closed, _):
            return []
        case (.securityHandshake, .securityHandshake(let handshake)):
            // 3.2.5.5: reset the timer and continue the handshake.
            return [.cancelSecurityHandshakeTimer, .feedDTLS(handshake.securityToken)]
        case (.waitingForPINResponse(let pin), .pinResponse(let response)):
            return pinResponseReceived(response, pin: pin)
        case (_, .stopProjection(let stop)):
            return [.report(.stopProjection(stop))] + close(.stopProjectionReceived)
        default:
            return close(.unexpectedMessage(message.type, state: state.name))
        }
    }

    public mutating func malformedMessageReceived(_ error: WireError) -> [Action] {
        close(.malformedMessage(error))
    }

    /// 3.2.5.6: reason 0x00 with SHA-256(PIN ‖ sink IP) → SOURCE_READY; anything else abandons.
    private mutating func pinResponseReceived(_ response: PINResponseMessage, pin: String) -> [Action] {
        var actions: [Action] = [.cancelSecurityHandshakeTimer]
        guard response.reason == .pinAccepted else {
            actions.append(.report(.pinResult(accepted: false, reason: response.reason)))
            return actions + close(.pinRejected(response.reason))
        }
        let expected = PINHash.compute(pin: pin, senderAddress: sinkAddress)
        guard let hash = response.pinChallenge, PINHash.constantTimeEqual(expected, hash) else {
            return actions + close(.pinResponseHashMismatch)
        }
        actions.append(.report(.pinResult(accepted: true, reason: .pinAccepted)))
        return actions + sendSourceReady()
    }

    private mutating func sendSourceReady() -> [Action] {
        state = .sourceReadySent
        // 2.2.1: no Friendly Name when a Session Request was sent.
        let ready = SourceReadyMessage(
            friendlyName: configuration.usePINEntry ? nil : configuration.friendlyName,
            rtspPort: configuration.rtspPort, sourceID: configuration.sourceID
        )
        return [.send(.sourceReady(ready), encrypted: tlvArraysEncrypted), .report(.sourceReadySent(ready))]
    }

    // MARK: RTSP and timers

    /// 3.2.5.7: the sink connected to the RTSP port.
    public mutating func rtspConnectionAccepted() -> [Action] {
        guard case .sourceReadySent = state else { return [] }
        state = .projecting
        return [.cancelControlChannelTimer, .report(.rtspConnected)]
    }

    /// 3.2.6: the Control Channel Connection timer expired.
    public mutating func controlChannelTimerFired() -> [Action] {
        switch state {
        case .connecting, .securityHandshake, .waitingForPINResponse, .sourceReadySent:
            return close(.controlChannelTimeout)
        default: return []
        }
    }

    /// 3.2.6: the Security Handshake Message Timer expired.
    public mutating func securityHandshakeTimerFired() -> [Action] {
        switch state {
        case .securityHandshake, .waitingForPINResponse: return close(.securityHandshakeTimeout)
        default: return []
        }
    }

    /// The 7250 connection closed.
    public mutating func connectionClosed() -> [Action] {
        switch state {
        case .projecting: return close(.sinkClosed)
        case .closed: return []
        default: return close(.connectionLost)
        }
    }

    /// 3.2.4.3: the application disconnects: STOP_PROJECTION, then close.
    public mutating func disconnectRequested() -> [Action] {
        switch state {
        case .closed: return []
        case .idle, .resolvingHostName, .connecting: return close(.localDisconnect)
        default:
            let stop = StopProjectionMessage(friendlyName: configuration.friendlyName, sourceID: configuration.sourceID)
            return [.send(.stopProjection(stop), encrypted: tlvArraysEncrypted)] + close(.localDisconnect)
        }
    }

    private mutating func close(_ reason: SourceCloseReason) -> [Action] {
        if case .closed = state { return [] }
        state = .closed(reason)
        return [.cancelDiscoveryTimer, .cancelControlChannelTimer, .cancelSecurityHandshakeTimer, .close(reason)]
    }
}
