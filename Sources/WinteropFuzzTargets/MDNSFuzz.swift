import NIOCore
import WinteropMDNS
import WinteropWire

/// Fuzz entry points for Multicast DNS (RFC 6762 / RFC 1035 messages).
enum MDNSFuzz {
    /// Decodes a datagram; what decodes must re-encode (with and without compression) to
    /// bytes that decode to the same message, and a responder must take it in any state.
    @Sendable static func message(_ bytes: [UInt8]) {
        let message: DNSMessage
        do {
            message = try DNSMessage.decode(bytes: bytes)
        } catch {
            return  // A WireError naming the rule: the expected outcome for most inputs.
        }
        for compress in [true, false] {
            guard let encoded = try? message.encode(compress: compress) else {
                // Only data the codec cannot hold in a message (none it decoded) may fail.
                preconditionFailure("a decoded message did not re-encode")
            }
            guard let again = try? DNSMessage.decode(encoded) else {
                preconditionFailure("a re-encoded message did not decode")
            }
            precondition(again == message, "round trip changed the message")
        }
        // Feed it to a running responder, as a query and as a response, from both kinds of port.
        guard let name = try? DNSName(["fuzz", "local"]),
              let set = try? MDNSRecordSet(
                  instances: [MDNSServiceInstance(instanceName: "Fuzz", serviceType: "_display._tcp", port: 7250, txt: ["k=v"])],
                  hostName: name, addresses: [.a([192, 0, 2, 1])])
        else { return }
        var responder = MDNSResponder(recordSet: set, random: SplitMix64(seed: UInt64(bytes.count)))
        var now = NIODeadline.uptimeNanoseconds(1_000_000_000)
        _ = responder.start(now: now)
        var steps = 0
        while responder.state != .running, let next = responder.nextDeadline, steps < 20 {
            now = next
            _ = responder.timerFired(now: now)
            steps += 1
        }
        for port in [5353, 40000] {
            guard let source = try? SocketAddress(ipAddress: "192.0.2.9", port: port) else { continue }
            for action in responder.messageReceived(message, from: source, now: now) {
                if case .send(let reply, _) = action {
                    precondition((try? reply.encode()) != nil, "a responder reply did not encode")
                }
            }
        }
        _ = responder.shutdown(now: now)
    }
}
