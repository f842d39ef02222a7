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

    /// What the 7250 connection has established, carried by every state after
    /// Connecting: the two ends' addresses (the PIN salts, 3.2.5.5, 3.2.5.6) and what
    /// the source negotiated.
    public struct Connection: Sendable, Hashable {
        /// The source's IP address bytes on the 7250 connection (its PIN_CHALLENGE salt, 3.2.5.5).
        public var sourceAddress: [UInt8]
        /// The sink's IP address bytes on the 7250 connection (its PIN_RESPONSE salt, 3.2.5.6).
        public var sinkAddress: [UInt8]
        /// The Security Options of the SESSION_REQUEST sent, if one was (3.2.5.4).
        public var securityOptions: SecurityOptions?
        /// Whether TLVArrays travel as DTLS records (3.2.5.5: handshake done after a SESSION_REQUEST).
        public var tlvArraysEncrypted = false

        public init(sourceAddress: [UInt8], sinkAddress: [UInt8], securityOptions: SecurityOptions? = nil) {
            self.sourceAddress = sourceAddress
            self.sinkAddress = sinkAddress
            self.securityOptions = securityOptions
        }
    }

    /// The states of figure 5; each carries what is valid in it.
    public enum State: Sendable, Hashable {
        case idle
        case resolvingHostName
        case connecting
        case securityHandshake(Connection)
        case waitingForPINEntry(Connection)
        case waitingForPINResponse(Connection, pin: String)
        case sourceReadySent(Connection)
        case projecting(Connection)
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

        /// The 7250 connection, in the states that have one.
        public var connection: Connection? {
            switch self {
            case .securityHandshake(let c), .waitingForPINEntry(let c), .waitingForPINResponse(let c, _),
                 .sourceReadySent(let c), .projecting(let c):
                return c
            case .idle, .resolvingHostName, .connecting, .closed:
                return nil
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
    /// The PIN, once the higher layer supplied it (3.2.4.2): an input that may come
    /// before the machine needs it (`--pin-value`, or typed during the handshake).
    public private(set) var pin: String?

    public init(configuration: Configuration, pin: String? = nil) {
        self.configuration = configuration
        self.pin = pin
    }

    /// Whether received TLVArrays are DTLS records to open before decoding (3.2.5.5).
    public var tlvArraysEncrypted: Bool { state.connection?.tlvArraysEncrypted ?? false }

    // MARK: Discovery and connection

    /// 3.2.5.1: begin host name resolution under the Discovery timer.
    public mutating func hostNameResolutionStarted() -> [Action] {
        switch state {
        case .idle:
            state = .resolvingHostName
            return [.startDiscoveryTimer(configuration.discoveryTimeout), .resolveHostName]
        case .resolvingHostName, .connecting, .securityHandshake, .waitingForPINEntry, .waitingForPINResponse,
             .sourceReadySent, .projecting, .closed:
            return []
        }
    }

    /// 3.2.5.3: addresses are known (resolved, or taken from IP Address attributes):
    /// cancel the Discovery timer, start the Control Channel Connection timer, connect.
    public mutating func hostNameResolved() -> [Action] {
        switch state {
        case .idle, .resolvingHostName:
            state = .connecting
            return [.cancelDiscoveryTimer, .startControlChannelTimer(configuration.controlChannelTimeout), .connect]
        case .connecting, .securityHandshake, .waitingForPINEntry, .waitingForPINResponse, .sourceReadySent, .projecting, .closed:
            return []
        }
    }

    public mutating func hostNameResolutionFailed(_ detail: String) -> [Action] {
        switch state {
        case .resolvingHostName:
            return close(.resolutionFailed(detail))
        case .idle, .connecting, .securityHandshake, .waitingForPINEntry, .waitingForPINResponse, .sourceReadySent, .projecting, .closed:
            return []
        }
    }

    /// 3.2.6: the Discovery timer expired.
    public mutating func discoveryTimerFired() -> [Action] {
        switch state {
        case .resolvingHostName:
            return close(.discoveryTimeout)
        case .idle, .connecting, .securityHandshake, .waitingForPINEntry, .waitingForPINResponse, .sourceReadySent, .projecting, .closed:
            return []
        }
    }

    /// 3.2.5.4: the 7250 connection failed.
    public mutating func connectionFailed(_ detail: String) -> [Action] {
        switch state {
        case .connecting:
            return close(.connectionFailed(detail))
        case .idle, .resolvingHostName, .securityHandshake, .waitingForPINEntry, .waitingForPINResponse, .sourceReadySent, .projecting, .closed:
            return []
        }
    }

    /// 3.2.5.4: connected. Send SESSION_REQUEST when PIN entry is selected; then the
    /// first DTLS flight when encryption is selected, otherwise SOURCE_READY (the RTSP
    /// port is already listening).
    public mutating func connectionEstablished(sourceAddress: [UInt8], sinkAddress: [UInt8]) -> [Action] {
        switch state {
        case .connecting:
            var connection = Connection(sourceAddress: sourceAddress, sinkAddress: sinkAddress)
            var actions: [Action] = []
            if configuration.usePINEntry {
                let options: SecurityOptions = [.useDTLSStreamEncryption, .sinkDisplaysPIN]
                connection.securityOptions = options
                let request = SessionRequestMessage(securityOptions: options, friendlyName: configuration.friendlyName, sourceID: configuration.sourceID)
                actions += [.send(.sessionRequest(request), encrypted: false), .report(.sessionRequestSent(options))]
            }
            if configuration.useStreamEncryption {
                state = .securityHandshake(connection)
                actions.append(.startDTLS)
                return actions
            }
            return actions + sendSourceReady(connection)
        case .idle, .resolvingHostName, .securityHandshake, .waitingForPINEntry, .waitingForPINResponse, .sourceReadySent, .projecting, .closed:
            return []
        }
    }

    // MARK: DTLS

    /// The DTLS engine produced records (and maybe finished): send each in its own
    /// SECURITY_HANDSHAKE; a flight that needs an answer starts the timer (3.2.5.5).
    public mutating func dtlsHandshakeProgressed(records: [[UInt8]], complete: Bool) -> [Action] {
        switch state {
        case .securityHandshake(var connection):
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
            connection.tlvArraysEncrypted = connection.securityOptions != nil
            actions += [.cancelSecurityHandshakeTimer, .report(.dtlsComplete)]
            guard configuration.usePINEntry else { return actions + sendSourceReady(connection) }
            if let pin {
                return actions + sendPINChallenge(pin, connection: connection)
            }
            // Waiting for a person: the Control Channel Connection timer pauses until the PIN comes.
            state = .waitingForPINEntry(connection)
            return actions + [.cancelControlChannelTimer, .requestPIN]
        case .idle, .resolvingHostName, .connecting, .waitingForPINEntry, .waitingForPINResponse, .sourceReadySent, .projecting, .closed:
            return []
        }
    }

    public mutating func dtlsFailed(_ detail: String) -> [Action] {
        close(.dtlsFailure(detail))
    }

    // MARK: PIN

    /// 3.2.4.2: the higher layer supplied the PIN; kept for later when it comes early.
    public mutating func pinEntered(_ pin: String) -> [Action] {
        self.pin = pin
        switch state {
        case .waitingForPINEntry(let connection):
            return [.startControlChannelTimer(configuration.controlChannelTimeout)] + sendPINChallenge(pin, connection: connection)
        case .idle, .resolvingHostName, .connecting, .securityHandshake, .waitingForPINResponse, .sourceReadySent, .projecting, .closed:
            return []
        }
    }

    public mutating func pinUnavailable(_ detail: String) -> [Action] {
        close(.pinUnavailable(detail))
    }

    /// 3.2.5.5: PIN_CHALLENGE with SHA-256(PIN ‖ source IP), under the Security Handshake Message Timer.
    private mutating func sendPINChallenge(_ pin: String, connection: Connection) -> [Action] {
        state = .waitingForPINResponse(connection, pin: pin)
        let challenge = PINChallengeMessage(
            pinChallenge: PINHash.compute(pin: pin, senderAddress: connection.sourceAddress), sourceID: configuration.sourceID
        )
        return [
            .send(.pinChallenge(challenge), encrypted: connection.tlvArraysEncrypted),
            .startSecurityHandshakeTimer(configuration.securityHandshakeTimeout),
        ]
    }

    // MARK: Messages

    /// A decoded message arrived (3.2.5.5–3.2.5.8): each state takes only its own
    /// message, STOP_PROJECTION is taken anywhere, anything else abandons.
    public mutating func messageReceived(_ message: MICEMessage) -> [Action] {
        switch state {
        case .closed:
            return []
        case .securityHandshake:
            if case .securityHandshake(let handshake) = message {
                // 3.2.5.5: reset the timer and continue the handshake.
                return [.cancelSecurityHandshakeTimer, .feedDTLS(handshake.securityToken)]
            }
        case .waitingForPINResponse(let connection, let pin):
            if case .pinResponse(let response) = message {
                return pinResponseReceived(response, connection: connection, pin: pin)
            }
        case .idle, .resolvingHostName, .connecting, .waitingForPINEntry, .sourceReadySent, .projecting:
            break
        }
        if case .stopProjection(let stop) = message {
            return [.report(.stopProjection(stop))] + close(.stopProjectionReceived)
        }
        return close(.unexpectedMessage(message.type, state: state.name))
    }

    /// Bytes that do not decode, or a record that does not open (3.2.5.8).
    public mutating func malformedMessageReceived(_ error: WireError) -> [Action] {
        close(.malformedMessage(error))
    }

    /// 3.2.5.6: reason 0x00 with SHA-256(PIN ‖ sink IP) → SOURCE_READY; anything else abandons.
    private mutating func pinResponseReceived(_ response: PINResponseMessage, connection: Connection, pin: String) -> [Action] {
        var actions: [Action] = [.cancelSecurityHandshakeTimer]
        guard response.reason == .pinAccepted else {
            actions.append(.report(.pinResult(accepted: false, reason: response.reason)))
            return actions + close(.pinRejected(response.reason))
        }
        let expected = PINHash.compute(pin: pin, senderAddress: connection.sinkAddress)
        guard let hash = response.pinChallenge, PINHash.constantTimeEqual(expected, hash) else {
            return actions + close(.pinResponseHashMismatch)
        }
        actions.append(.report(.pinResult(accepted: true, reason: .pinAccepted)))
        return actions + sendSourceReady(connection)
    }

    /// 3.2.5.4: SOURCE_READY names the RTSP port; then wait for the sink to connect to it.
    private mutating func sendSourceReady(_ connection: Connection) -> [Action] {
        state = .sourceReadySent(connection)
        // 2.2.1: no Friendly Name when a Session Request was sent.
        let ready = SourceReadyMessage(
            friendlyName: connection.securityOptions == nil ? configuration.friendlyName : nil,
            rtspPort: configuration.rtspPort, sourceID: configuration.sourceID
        )
        return [.send(.sourceReady(ready), encrypted: connection.tlvArraysEncrypted), .report(.sourceReadySent(ready))]
    }

    // MARK: RTSP and timers

    /// 3.2.5.7: the sink connected to the RTSP port.
    public mutating func rtspConnectionAccepted() -> [Action] {
        switch state {
        case .sourceReadySent(let connection):
            state = .projecting(connection)
            return [.cancelControlChannelTimer, .report(.rtspConnected)]
        case .idle, .resolvingHostName, .connecting, .securityHandshake, .waitingForPINEntry, .waitingForPINResponse, .projecting, .closed:
            return []
        }
    }

    /// 3.2.6: the Control Channel Connection timer expired.
    public mutating func controlChannelTimerFired() -> [Action] {
        switch state {
        case .connecting, .securityHandshake, .waitingForPINResponse, .sourceReadySent:
            return close(.controlChannelTimeout)
        case .idle, .resolvingHostName, .waitingForPINEntry, .projecting, .closed:
            return []
        }
    }

    /// 3.2.6: the Security Handshake Message Timer expired.
    public mutating func securityHandshakeTimerFired() -> [Action] {
        switch state {
        case .securityHandshake, .waitingForPINResponse:
            return close(.securityHandshakeTimeout)
        case .idle, .resolvingHostName, .connecting, .waitingForPINEntry, .sourceReadySent, .projecting, .closed:
            return []
        }
    }

    /// The 7250 connection closed.
    public mutating func connectionClosed() -> [Action] {
        switch state {
        case .projecting:
            return close(.sinkClosed)
        case .closed:
            return []
        case .idle, .resolvingHostName, .connecting, .securityHandshake, .waitingForPINEntry, .waitingForPINResponse, .sourceReadySent:
            return close(.connectionLost)
        }
    }

    /// 3.2.4.3: the application disconnects: STOP_PROJECTION, then close.
    public mutating func disconnectRequested() -> [Action] {
        switch state {
        case .closed:
            return []
        case .idle, .resolvingHostName, .connecting:
            return close(.localDisconnect)
        case .securityHandshake(let connection), .waitingForPINEntry(let connection), .waitingForPINResponse(let connection, _),
             .sourceReadySent(let connection), .projecting(let connection):
            let stop = StopProjectionMessage(friendlyName: configuration.friendlyName, sourceID: configuration.sourceID)
            return [.send(.stopProjection(stop), encrypted: connection.tlvArraysEncrypted)] + close(.localDisconnect)
        }
    }

    private mutating func close(_ reason: SourceCloseReason) -> [Action] {
        if case .closed = state { return [] }
        state = .closed(reason)
        return [.cancelDiscoveryTimer, .cancelControlChannelTimer, .cancelSecurityHandshakeTimer, .close(reason)]
    }
}
