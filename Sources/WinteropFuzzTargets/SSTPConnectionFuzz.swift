import NIOCore
import SSTPCore
import WinteropWire

/// Fuzzes the MS-GRVSSTP connection state machine with sequences: commands from the
/// peer, timer deadlines on an injected clock, and higher-layer requests, in any order.
enum SSTPConnectionFuzz {
    /// Each step is one byte choosing the event, followed by what it needs. Invariants:
    /// nothing happens after the connection ended, a deadline is never at or before
    /// `now`, the message lists hold no more than was sent and received, and the
    /// Inbound and Outbound message lists never pass their configured bounds.
    @Sendable static func sequence(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        var input = ByteBuffer(bytes: bytes.dropFirst())
        var configuration = SSTP.ConnectionConfiguration(version: selector & 1 == 0 ? .v1_5 : .v1_6, localDeviceURLs: ["dpp://fuzz"])
        configuration.maximumMessageSize = selector & 8 == 0 ? nil : 4096
        configuration.timers.connectTimeout = .seconds(30)
        configuration.timers.outboundIdle = .seconds(60)
        configuration.timers.inboundIdle = .seconds(90)
        configuration.timers.outputStall = .seconds(45)
        // A small bound, so that sequences reach it.
        configuration.maximumInboundMessages = selector & 16 == 0 ? 4 : 64
        configuration.maximumOutboundMessages = selector & 32 == 0 ? 3 : 64
        let initiated = selector & 2 == 0
        var machine = SSTP.ConnectionStateMachine(configuration: configuration, initiatedConnection: initiated)
        var now = NIODeadline.uptimeNanoseconds(1_000_000_000)
        var ended = false
        var received = 0
        var sent = 0
        var processing: [UInt64] = []

        func check(_ actions: [SSTP.ConnectionAction]) {
            precondition(!ended || actions.isEmpty, "actions after the connection ended: \(actions)")
            for action in actions {
                switch action {
                case .connectionEnded: ended = true
                case .messageReceived(let entry):
                    received += 1
                    processing.append(entry.sequence)
                default: break
                }
            }
            if let lists = machine.established {
                precondition(lists.inboundMessages.count <= received, "InboundMessageList longer than what was received")
                precondition(lists.inboundMessages.count <= configuration.maximumInboundMessages, "InboundMessageList past its bound")
                precondition(lists.outboundMessages.count <= sent, "OutboundMessageList longer than what was sent")
                precondition(lists.outboundMessages.count <= configuration.maximumOutboundMessages, "OutboundMessageList past its bound")
            }
        }

        if let first = machine.transportActive(now: now) { precondition(first > now, "first deadline not ahead") }
        if initiated { check((try? machine.connect(targetDeviceURL: "dpp://peer")) ?? []) }
        while let step = input.readInteger(as: UInt8.self) {
            switch step % 8 {
            case 0, 1:
                // A command from the peer, as many bytes as the next length byte says.
                let length = Int(input.readInteger(as: UInt8.self) ?? 0)
                guard var frame = input.readSlice(length: min(length, input.readableBytes)) else { return }
                do {
                    while let command = try SSTP.CommandStream.decodeCommand(from: &frame, version: machine.version) {
                        check(machine.commandReceived(command))
                    }
                } catch {
                    check(machine.malformedCommandReceived(error))
                }
            case 2:
                // A well-formed command the fuzzer would rarely spell: Connect/Ok, Open, a message.
                let which = input.readInteger(as: UInt8.self) ?? 0
                let id = UInt32(input.readInteger(as: UInt8.self) ?? 0) | (initiated ? 0x8000_0000 : 0)
                let command: SSTP.Command
                switch which % 5 {
                case 0: command = .connect(SSTP.Connect(minorVersion: 6, targetDeviceURL: "dpp://fuzz", sourceDeviceURLs: ["dpp://peer"], peerProductVersion: "fuzz"))
                case 1: command = .connectResponse(SSTP.ConnectResponse(minorVersion: 6, responseId: .ok, peerProductVersion: "fuzz", targetDeviceURLs: ["dpp://peer"]))
                case 2: command = .open(SSTP.Open(sessionId: id, addressingEntry: SSTP.AddressingEntry(resourceURL: "r", identityURL: "i")))
                case 3: command = .message(SSTP.Message(sessionId: id, acknowledgeImmediately: which & 0x80 != 0))
                default: command = .endMessage(SSTP.EndMessage(sessionId: id))
                }
                check(machine.commandReceived(command))
                let data = SSTP.Command.data(SSTP.Data(sessionId: id, payload: ByteBuffer(repeating: which, count: Int(which) * 32)))
                if which & 0x40 != 0 { check(machine.commandReceived(data)) }
            case 3:
                // Time passes (up to 255 s) and the deadline is hit.
                now = now + .seconds(Int64(input.readInteger(as: UInt8.self) ?? 0))
                // The shell's output crosses a water mark (bit 0x20: blocked, else drained).
                if step & 0x10 != 0 {
                    let next = step & 0x20 != 0 ? machine.outputBlocked(now: now) : machine.outputUnblocked(now: now)
                    if let next { precondition(next > now, "an output stall deadline at or before now") }
                }
                let outcome = machine.hitDeadline(now: now)
                check(outcome.actions)
                if let next = outcome.next { precondition(next > now, "a deadline at or before now") }
            case 4:
                // The resource handler completes the oldest message it holds.
                if !processing.isEmpty {
                    check((try? machine.resourceHandlerCompleted(sequence: processing.removeFirst())) ?? [])
                }
            case 5:
                // Flow control or a fault on an inbound session.
                let id = UInt32(input.readInteger(as: UInt8.self) ?? 0) | (initiated ? 0x8000_0000 : 0)
                let choice: [SSTP.ResourceHandlerAvailability] = [.ready, .notReady, .fault(.internalError)]
                check((try? machine.resourceHandlerAvailabilityChanged(sessionId: id, choice[Int(step / 8) % 3])) ?? [])
            case 6:
                // This side opens a session and sends a message on every ready one.
                let (_, open) = (try? machine.openSession(SSTP.AddressingEntry(resourceURL: "r", identityURL: "i"))) ?? (0, [])
                check(open)
                for id in UInt32(0)..<4 where machine.sessionState(id)?.1 == .ready {
                    if let actions = try? machine.sendMessage(sessionId: id, payload: ByteBuffer(repeating: 1, count: 10), reference: UInt64(sent)) {
                        sent += 1
                        check(actions)
                    }
                }
            default:
                // The end: a local close, or the transport going away.
                if step & 0x80 == 0 { check(machine.close(reason: .noReason)) } else { check(machine.transportLost()) }
            }
        }
    }
}
