import NIOCore
import WinteropWire

/// The client of MS-TCC 3.1 (figure 2, `media/image2.png`), sans-IO: one request per
/// connection. States: before the channel is up, WAITING for the answer, and done.
/// Time enters as `now`; the MessageTimer is an action whose deadline the shell arms.
public struct ClientStateMachine: Sendable {
    public struct Configuration: Sendable {
        /// With keys the request carries Timestamp and HMAC (3.1.3), and an unpaired
        /// response can be verified; without, the request is revision 2.0's empty one.
        public var keys: UnpairedKeys?
        /// MessageTimer (3.1.2: one minute).
        public var messageTimeout: Duration

        public init(keys: UnpairedKeys? = nil, messageTimeout: Duration = TCC.defaultTimeout) {
            self.keys = keys
            self.messageTimeout = messageTimeout
        }
    }

    public enum State: Sendable, Hashable {
        /// Before the transport has a channel (3.1.3).
        case initial
        /// WAITING (figure 2): the request went out; `timestamp` is its Timestamp, if any.
        case waiting(timestamp: FileTime?, timerDeadline: NIODeadline)
        case done(ClientOutcome)
    }

    public enum Action: Sendable, Hashable {
        case send(TCCMessage)
        /// Arm (or re-arm, replacing the earlier one) the MessageTimer.
        case startMessageTimer(NIODeadline)
        /// Hand the outcome to the higher layer (3.1).
        case report(ClientOutcome)
        /// Disconnect the transport (3.1: "disconnects the transport … and terminates the connection").
        case close
    }

    public let configuration: Configuration
    public private(set) var state: State = .initial

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// 3.1.3: the channel is up; send BringUpStartRequest (with Timestamp and HMAC when
    /// keys are configured) and start the MessageTimer. `wallClock` is the system time.
    public mutating func channelEstablished(now: NIODeadline, wallClock: FileTime) -> [Action] {
        switch state {
        case .initial:
            let request: BringUpStartRequest
            let timestamp: FileTime?
            if let keys = configuration.keys {
                request = UnpairedCrypto.authenticatedRequest(now: wallClock, keys: keys)
                timestamp = wallClock
            } else {
                request = BringUpStartRequest()
                timestamp = nil
            }
            let deadline = now + .init(configuration.messageTimeout)
            state = .waiting(timestamp: timestamp, timerDeadline: deadline)
            return [.send(.bringUpStartRequest(request)), .startMessageTimer(deadline)]
        case .waiting, .done:
            return []
        }
    }

    /// 3.1.5: a whole message arrived. The MessageTimer restarts on every message.
    public mutating func messageReceived(_ frame: TCCFrame, now: NIODeadline) -> [Action] {
        guard case .waiting(let timestamp, _) = state else { return [] }
        let deadline = now + .init(configuration.messageTimeout)
        guard let id = frame.messageId else {
            // 3.1.5.5: an unrecognized MessageId is answered and WAITING continues (figure 2's loop).
            state = .waiting(timestamp: timestamp, timerDeadline: deadline)
            return [.startMessageTimer(deadline), .send(.protocolErrorResponse(ProtocolErrorResponse(messageType: frame.id)))]
        }
        let message: TCCMessage
        do {
            message = try TCCMessage.decode(id, payload: frame.payload)
        } catch {
            // 3.1.5.5: cannot be parsed → protocol error, terminate.
            return finish(.protocolError(error))
        }
        switch message {
        case .bringUpSuccessResponse(let response):
            // 3.1.5.1.
            return finish(.settings(response, unpaired: false))
        case .bringUpSuccessResponseUnpaired(let sealed):
            // 3.1.5.2: validate the HMAC, then decrypt and reprocess as BringUpSuccessResponse.
            guard let keys = configuration.keys, let timestamp else {
                return finish(.securityFailure("MS-TCC 3.1.5.2: the server sent a BringUpSuccessResponseUnpaired but this client has no keys to verify it (give --keys)"))
            }
            do {
                return finish(.settings(try UnpairedCrypto.open(sealed, clientTimestamp: timestamp, keys: keys), unpaired: true))
            } catch {
                return finish(.securityFailure(error.description))
            }
        case .bringUpFailureResponse(let failure):
            // 3.1.5.3.
            return finish(.failure(failure))
        case .bringUpStartRequest:
            // 3.1.5.4.
            return finish(.protocolFailure(.bringUpStartRequest, nil))
        case .protocolErrorResponse(let error):
            // 3.1.5.4.
            return finish(.protocolFailure(.protocolErrorResponse, error))
        }
    }

    /// 3.1.5.5: the byte stream itself cannot be parsed (the shell's framer failed).
    public mutating func messageMalformed(_ error: WireError) -> [Action] {
        guard case .waiting = state else { return [] }
        return finish(.protocolError(error))
    }

    /// The secure channel the transport needs (5.1) failed, e.g. a TLS-PSK handshake with
    /// another key: the request cannot go on.
    public mutating func channelSecurityFailed(_ reason: String) -> [Action] {
        switch state {
        case .initial, .waiting: return finish(.securityFailure(reason))
        case .done: return []
        }
    }

    /// 3.1.6: the MessageTimer fired. A timer that was re-armed since is stale and ignored.
    public mutating func messageTimerFired(now: NIODeadline) -> [Action] {
        guard case .waiting(_, let deadline) = state, now >= deadline else { return [] }
        return finish(.timedOut)
    }

    /// 3.1.4.1: the higher layer cancels while waiting.
    public mutating func cancel() -> [Action] {
        switch state {
        case .initial, .waiting: return finish(.cancelled)
        case .done: return []
        }
    }

    /// 3.1.7.1: the transport channel went away.
    public mutating func transportDisconnected() -> [Action] {
        switch state {
        case .initial, .waiting:
            state = .done(.transportFailure)
            return [.report(.transportFailure)]
        case .done: return []
        }
    }

    private mutating func finish(_ outcome: ClientOutcome) -> [Action] {
        state = .done(outcome)
        return [.report(outcome), .close]
    }
}
