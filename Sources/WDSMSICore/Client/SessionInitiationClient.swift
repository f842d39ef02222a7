import NIOCore
import WinteropWire

/// The MS-WDSMSI client over UDP, sans-IO: it sends the request, sends it again each
/// second until a reply comes (3.1.6) or the overall timeout passes, validates the reply
/// and ignores whatever arrives after it (duplicates of a retransmitted request's reply).
/// Time enters as `now`; the one timer is an action.
public struct SessionInitiationClient: Sendable {
    public enum State: Sendable, Hashable {
        case idle
        /// Request sent `attempts` times; the overall deadline is `deadline`.
        case waitingForReply(attempts: Int, deadline: NIODeadline)
        case finished(Outcome)
    }

    /// How a request ended.
    public enum Outcome: Sendable, Hashable {
        /// The server set up the session.
        case session(MulticastSessionInitiationReply, SecurityModes)
        /// The server answered with an Error Packet (2.2.2.3).
        case serverError(Win32Error)
        /// The reply broke a rule of 2.2.2.2.
        case invalidReply(WireError)
        /// No reply before the overall timeout, after `attempts` sends.
        case timedOut(attempts: Int)
    }

    public enum Action: Sendable, Hashable {
        /// Send the request datagram to the server.
        case send(ByteBuffer)
        /// Call ``retransmitTimerFired(now:)`` at this time (replaces any earlier timer).
        case scheduleTimer(NIODeadline)
        case cancelTimer
        /// The request is over.
        case finish(Outcome)
        /// A datagram was not a packet of 2.2.2 (or not for us); it was ignored.
        case ignored(String)
    }

    public let request: MulticastSessionInitiationRequest
    public let requestBytes: ByteBuffer
    /// How long to keep trying in all.
    public let timeout: TimeAmount
    public private(set) var state: State = .idle

    public init(request: MulticastSessionInitiationRequest, timeout: TimeAmount) throws(EncodingError) {
        self.request = request
        self.requestBytes = try request.encoded()
        self.timeout = timeout
    }

    /// The retransmission interval (3.1.6: 1 second).
    public static let retransmitInterval = TimeAmount(WDSMSI.retransmitInterval)

    /// Sends the first request.
    public mutating func start(now: NIODeadline) -> [Action] {
        switch state {
        case .idle:
            let deadline = now + timeout
            state = .waitingForReply(attempts: 1, deadline: deadline)
            return [.send(requestBytes), .scheduleTimer(min(now + Self.retransmitInterval, deadline))]
        case .waitingForReply, .finished:
            return []
        }
    }

    /// 3.1.6: a second passed without a reply: send again, unless the overall timeout is over.
    public mutating func retransmitTimerFired(now: NIODeadline) -> [Action] {
        switch state {
        case .waitingForReply(let attempts, let deadline):
            if now >= deadline {
                let outcome = Outcome.timedOut(attempts: attempts)
                state = .finished(outcome)
                return [.finish(outcome)]
            }
            state = .waitingForReply(attempts: attempts + 1, deadline: deadline)
            return [.send(requestBytes), .scheduleTimer(min(now + Self.retransmitInterval, deadline))]
        case .idle, .finished:
            return []
        }
    }

    /// A datagram came from the server.
    public mutating func datagramReceived(_ datagram: ByteBuffer) -> [Action] {
        guard case .waitingForReply = state else {
            // Finished: a duplicate reply to a retransmitted request, or a late one.
            return [.ignored("a datagram after the request was answered")]
        }
        let message: UDPMessage
        do {
            message = try UDPMessage(decoding: datagram)
        } catch {
            return [.ignored("malformed datagram: \(error)")]
        }
        let outcome: Outcome
        switch message {
        case .request:
            return [.ignored("a request packet, not a reply")]
        case .error(let packet):
            outcome = .serverError(packet.error)
        case .reply(let reply):
            do {
                try Self.validate(reply, for: request)
                // 3.1.5.3: a UDP session's security modes are checksum both ways.
                outcome = .session(reply, .checksum)
            } catch {
                outcome = .invalidReply(error)
            }
        }
        state = .finished(outcome)
        return [.cancelTimer, .finish(outcome)]
    }

    /// The rules of 2.2.2.2 a reply must keep.
    static func validate(_ reply: MulticastSessionInitiationReply, for request: MulticastSessionInitiationRequest) throws(WireError) {
        let reference = WDSMSI.reference("2.2.2.2")
        guard reply.multicastAddress.isMulticast else {
            throw reference.error("WDSMCSE_OPT_MULTICAST_ADDR \(reply.multicastAddress) is not a multicast address")
        }
        guard reply.multicastAddress.isIPv6 == reply.serverAddress.isIPv6 else {
            throw reference.error("the multicast address \(reply.multicastAddress) and server address \(reply.serverAddress) are of different IP versions")
        }
        if reply.multicastAddress.isIPv6, request.ipv6Capable != true {
            throw WDSMSI.reference("3.1.5.3").error("an IPv6 session for a client that did not say it is IPv6 capable")
        }
        guard reply.serverPort == reply.multicastPort else {
            throw reference.error("WDSMCSE_OPT_SERVER_PORT \(reply.serverPort) must equal WDSMCSE_OPT_MULTICAST_PORT \(reply.multicastPort)")
        }
        guard reply.blockSize > 0 else {
            throw reference.error("WDSMCSE_OPT_BLOCK_SIZE is zero")
        }
        let expected = MulticastSession.totalBlocks(contentSize: reply.contentSize, blockSize: reply.blockSize)
        guard reply.totalBlocks == expected else {
            throw reference.error("WDSMCSE_OPT_TOTAL_BLOCKS \(reply.totalBlocks) is not the \(expected) blocks of \(reply.blockSize) bytes that \(reply.contentSize) bytes take")
        }
    }
}
