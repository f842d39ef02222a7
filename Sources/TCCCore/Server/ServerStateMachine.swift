import NIOCore
import WinteropWire

/// The server of MS-TCC 3.2 (figure 3, `media/image3.png`), sans-IO: one instance per
/// client connection, IDLE or STARTING. The higher layer (a tethering provider) is
/// asked through ``Action/startTethering`` and answers with ``tetheringStarted(_:iv:now:)``
/// or ``tetheringFailed(_:now:)``. Time enters as `now` (monotonic) and `wallClock`
/// (system time, for the Timestamp skew of 3.2.5.1).
public struct ServerStateMachine: Sendable {
    public struct Configuration: Sendable {
        /// K1–K3 (1.5): with them, requests carrying Timestamp and HMAC are verified and
        /// answered with BringUpSuccessResponseUnpaired (3.2.4.2 SHOULD<8>).
        public var keys: UnpairedKeys?
        /// Whether the channel has a pairing relationship (an authenticated, encrypted
        /// RFCOMM link, or a channel the operator accepts as such). On a channel that is
        /// not paired a request MUST carry HMAC and Timestamp (3.2.5.1).
        public var channelPaired: Bool
        /// The allowable Timestamp skew (3.2.5.1: recommended 5 minutes).
        public var maximumSkew: Duration
        /// ServerTimer (3.2.2: one minute).
        public var serverTimeout: Duration

        public init(
            keys: UnpairedKeys? = nil, channelPaired: Bool = true,
            maximumSkew: Duration = TCC.defaultMaximumSkew, serverTimeout: Duration = TCC.defaultTimeout
        ) {
            self.keys = keys
            self.channelPaired = channelPaired
            self.maximumSkew = maximumSkew
            self.serverTimeout = serverTimeout
        }
    }

    public enum State: Sendable, Hashable {
        /// Before the client connected (3.2.3).
        case initial
        case idle(timerDeadline: NIODeadline)
        /// STARTING: the higher layer is bringing tethering up; `clientTimestamp` is the
        /// verified request's Timestamp when the answer must be the unpaired one.
        case starting(clientTimestamp: FileTime?, timerDeadline: NIODeadline)
        case closed(ServerCloseReason)
    }

    public enum Action: Sendable, Hashable {
        case send(TCCMessage)
        /// Arm (or re-arm, replacing the earlier one) the ServerTimer.
        case startServerTimer(NIODeadline)
        /// Indicate to the higher layer that tethering has to be started (3.2.5.1).
        case startTethering
        case report(ServerReport)
        /// Disconnect the transport and terminate the connection.
        case close(ServerCloseReason)
    }

    public let configuration: Configuration
    public private(set) var state: State = .initial

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// 3.2.3: a client connected; the state is IDLE. The ServerTimer starts here too, so a
    /// client that never sends is disconnected after one interval (our reading: 3.2.2
    /// bounds the exchange, and 3.2.5 only says receipt restarts it).
    public mutating func clientConnected(now: NIODeadline) -> [Action] {
        guard case .initial = state else { return [] }
        let deadline = now + .init(configuration.serverTimeout)
        state = .idle(timerDeadline: deadline)
        return [.startServerTimer(deadline)]
    }

    /// 3.2.5: a whole message arrived; the ServerTimer restarts on every message.
    public mutating func messageReceived(_ frame: TCCFrame, now: NIODeadline, wallClock: FileTime) -> [Action] {
        let deadline = now + .init(configuration.serverTimeout)
        switch state {
        case .initial, .closed:
            return []
        case .starting(let clientTimestamp, _):
            state = .starting(clientTimestamp: clientTimestamp, timerDeadline: deadline)
            switch frame.messageId {
            case .bringUpSuccessResponse?, .bringUpFailureResponse?, .protocolErrorResponse?, .bringUpSuccessResponseUnpaired?:
                // Figure 3: receipt of a response or ProtocolErrorResponse ends the connection from STARTING too.
                return close(.protocolFailure(frame.messageId ?? .protocolErrorResponse))
            case .bringUpStartRequest?, nil:
                // 3.2.5.1: "When the server is in the STARTING state, it MUST NOT process messages."
                return [.startServerTimer(deadline), .report(.ignoredWhileStarting(messageId: frame.id))]
            }
        case .idle:
            state = .idle(timerDeadline: deadline)
            guard let id = frame.messageId else {
                // 3.2.5.3: answer an unrecognized MessageId, stay IDLE.
                return [
                    .startServerTimer(deadline),
                    .send(.protocolErrorResponse(ProtocolErrorResponse(messageType: frame.id))),
                    .report(.unrecognizedMessage(messageId: frame.id)),
                ]
            }
            let message: TCCMessage
            do {
                message = try TCCMessage.decode(id, payload: frame.payload)
            } catch {
                // 3.2.5.3: cannot be parsed → protocol error, terminate.
                return close(.protocolError(error))
            }
            guard case .bringUpStartRequest(let request) = message else {
                // 3.2.5.2.
                return close(.protocolFailure(id))
            }
            return [.startServerTimer(deadline)] + bringUpStartRequestReceived(request, deadline: deadline, wallClock: wallClock)
        }
    }

    /// 3.2.5.1 in IDLE: check that the client is trusted, then enter STARTING.
    private mutating func bringUpStartRequestReceived(
        _ request: BringUpStartRequest, deadline: NIODeadline, wallClock: FileTime
    ) -> [Action] {
        switch (request.authentication, configuration.keys) {
        case (let authentication?, let keys?):
            // Unpaired proof present and checkable: skew first (status 9), then HMAC (status 10).
            guard UnpairedCrypto.isWithinSkew(authentication.timestamp, now: wallClock, maximumSkew: configuration.maximumSkew) else {
                return refuse(.timestampOutOfSync("the request's Timestamp is outside the server's allowable skew; check both clocks"))
            }
            guard UnpairedCrypto.isValid(authentication, keys: keys) else {
                return refuse(.securityFailure("the request's HMAC does not match (the client's K1 differs)"))
            }
            state = .starting(clientTimestamp: authentication.timestamp, timerDeadline: deadline)
            return [.report(.requestAccepted(unpaired: true)), .startTethering]
        case (_, nil) where configuration.channelPaired, (nil, _) where configuration.channelPaired:
            // A pairing relationship: the payload is optional (2.2.3.1) and the answer is
            // revision 2.0's BringUpSuccessResponse.
            state = .starting(clientTimestamp: nil, timerDeadline: deadline)
            return [.report(.requestAccepted(unpaired: false)), .startTethering]
        case (nil, _):
            return refuse(.securityFailure("this channel is not paired, so the request must carry HMAC and Timestamp"))
        case (_?, nil):
            return refuse(.securityFailure("the request carries an HMAC but this server has no keys to check it"))
        }
    }

    private func refuse(_ failure: BringUpFailureResponse) -> [Action] {
        return [.send(.bringUpFailureResponse(failure)), .report(.requestRefused(failure))]
    }

    /// 3.2.4.2: the higher layer confirms tethering with these settings. `iv` is 16 fresh
    /// random bytes, used only when the answer is BringUpSuccessResponseUnpaired.
    public mutating func tetheringStarted(_ settings: BringUpSuccessResponse, iv: [UInt8]) -> [Action] {
        guard case .starting(let clientTimestamp, let deadline) = state else { return [] }
        state = .idle(timerDeadline: deadline)
        guard let clientTimestamp else {
            return [.send(.bringUpSuccessResponse(settings)), .report(.responded(settings, unpaired: false))]
        }
        guard let keys = configuration.keys,
              let sealed = try? UnpairedCrypto.seal(settings, clientTimestamp: clientTimestamp, iv: iv, keys: keys)
        else {
            // 2.2.1.2 SecurityFailure: "an error on the server while … encrypting a protocol message".
            let failure = BringUpFailureResponse.securityFailure("the server could not encrypt the response")
            return [.send(.bringUpFailureResponse(failure)), .report(.failed(failure))]
        }
        return [.send(.bringUpSuccessResponseUnpaired(sealed)), .report(.responded(settings, unpaired: true))]
    }

    /// 3.2.4.2: the higher layer failed to start tethering.
    public mutating func tetheringFailed(_ failure: BringUpFailureResponse) -> [Action] {
        guard case .starting(_, let deadline) = state else { return [] }
        state = .idle(timerDeadline: deadline)
        return [.send(.bringUpFailureResponse(failure)), .report(.failed(failure))]
    }

    /// 3.2.5.3: the byte stream cannot be parsed (the shell's framer failed).
    public mutating func messageMalformed(_ error: WireError) -> [Action] {
        switch state {
        case .idle, .starting: return close(.protocolError(error))
        case .initial, .closed: return []
        }
    }

    /// 3.2.6: the ServerTimer fired; a timer re-armed since is stale and ignored.
    public mutating func serverTimerFired(now: NIODeadline) -> [Action] {
        switch state {
        case .idle(let deadline) where now >= deadline, .starting(_, let deadline) where now >= deadline:
            return close(.timedOut)
        default:
            return []
        }
    }

    /// 3.2.4.1: shutdown disconnects the transport.
    public mutating func shutdown() -> [Action] {
        switch state {
        case .initial, .idle, .starting: return close(.shutdown)
        case .closed: return []
        }
    }

    /// 3.2.7.1: the transport went away.
    public mutating func transportDisconnected() -> [Action] {
        switch state {
        case .initial, .idle, .starting:
            state = .closed(.transportFailure)
            return []
        case .closed: return []
        }
    }

    private mutating func close(_ reason: ServerCloseReason) -> [Action] {
        state = .closed(reason)
        return [.close(reason)]
    }
}
