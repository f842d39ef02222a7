import NIOCore
import WFDCore

/// Fuzz entry point for the Wi-Fi Display session machines: a sink and a source joined by
/// an RTSP "wire" that the input controls. Each step takes a byte: deliver the next message
/// in one direction, drop it, deliver it with one byte of its encoding changed (re-parsed,
/// so a peer's malformed or unexpected message reaches the machine as the decoder would
/// hand it over), inject bytes of the input as RTSP, fire a timer, advance the clock, or
/// issue a user command (stop, pause, play, IDR, STOP_PROJECTION, connection loss).
/// Checked: no trap; every message a machine sends re-parses to itself; a closed machine
/// does nothing more.
enum WFDSessionFuzz {
    @Sendable static func sessionSequence(_ bytes: [UInt8]) {
        var pair = FuzzedSessionPair()
        var input = bytes[...]
        pair.run(.sink, pair.sink.connected(now: pair.now))
        pair.run(.source, pair.source.connected(now: pair.now))
        var steps = 0
        while let op = input.popFirst(), steps < 400 {
            steps += 1
            let side: FuzzedSessionPair.Side = op & 0x80 == 0 ? .sink : .source
            switch op & 0x0F {
            case 0, 1, 2: pair.deliver(to: side)
            case 3: pair.drop(to: side)
            case 4:
                guard let position = input.popFirst(), let value = input.popFirst() else { return }
                pair.deliverMutated(to: side, at: Int(position), value: value)
            case 5:
                guard let length = input.popFirst() else { return }
                let chunk = input.prefix(Int(length))
                input = input.dropFirst(chunk.count)
                pair.inject(Array(chunk), to: side)
            case 6:
                guard let index = input.popFirst() else { return }
                let timer = WFDTimer.allCases[Int(index) % WFDTimer.allCases.count]
                pair.apply(side) { $0.timerFired(timer, now: $1) }
            case 7:
                guard let amount = input.popFirst() else { return }
                pair.now = pair.now + .milliseconds(Int64(amount) * 250)
            case 8: pair.apply(side) { $0.stopRequested(now: $1) }
            case 9: pair.apply(side) { $0.pauseRequested(now: $1) }
            case 10: pair.apply(side) { $0.playRequested(now: $1) }
            case 11: pair.apply(side) { $0.idrNeeded(now: $1) }
            case 12: pair.apply(side) { machine, _ in machine.stopProjectionReceived() }
            case 13: pair.apply(side) { machine, _ in machine.connectionClosed() }
            default: pair.deliver(to: side)
            }
        }
    }
}

/// The two machines and the messages on their way from one to the other.
struct FuzzedSessionPair {
    enum Side { case sink, source }

    var sink = WFDSinkStateMachine(configuration: .init(rtpPort: 1028))
    var source = WFDSourceStateMachine(configuration: .init(
        audio: [WFDAudioCodec(format: .aac, modes: 0x01)], host: "127.0.0.1", serverPort: .init(rtp: 5004), sessionID: "00C0FFEE"))
    var now = NIODeadline.uptimeNanoseconds(1_000_000_000)
    /// Messages waiting to be delivered to each side, oldest first.
    var toSink: [RTSPMessage] = []
    var toSource: [RTSPMessage] = []

    mutating func apply(_ side: Side, _ event: (inout any WFDSessionMachine, NIODeadline) -> [WFDAction]) {
        switch side {
        case .sink:
            var machine: any WFDSessionMachine = sink
            let actions = event(&machine, now)
            if let updated = machine as? WFDSinkStateMachine { sink = updated }
            run(.sink, actions)
        case .source:
            var machine: any WFDSessionMachine = source
            let actions = event(&machine, now)
            if let updated = machine as? WFDSourceStateMachine { source = updated }
            run(.source, actions)
        }
    }

    /// Carries out what `side` asked for: its messages go onto the wire to the other side.
    mutating func run(_ side: Side, _ actions: [WFDAction]) {
        let closed = side == .sink ? sink.isClosed : source.isClosed
        for action in actions {
            guard case .send(let message) = action else { continue }
            let encoded = message.encoded()
            guard let again = try? RTSPParser.decodeAll(encoded), again.count == 1, again[0].encoded() == encoded else {
                preconditionFailure("a message the \(side) machine sent does not re-parse to itself")
            }
            if side == .sink { toSource.append(message) } else { toSink.append(message) }
        }
        if closed {
            // Once closed, every event returns no actions (WFDSessionMachine.isClosed).
            var probe: any WFDSessionMachine = side == .sink ? sink : source
            precondition(probe.idrNeeded(now: now).isEmpty && probe.pauseRequested(now: now).isEmpty, "a closed \(side) machine acted")
        }
    }

    mutating func deliver(to side: Side) {
        guard let message = take(side) else { return }
        apply(side) { $0.messageReceived(message, now: $1) }
    }

    mutating func drop(to side: Side) { _ = take(side) }

    mutating func deliverMutated(to side: Side, at position: Int, value: UInt8) {
        guard let message = take(side) else { return }
        var bytes = Array(message.encoded())
        guard !bytes.isEmpty else { return }
        bytes[position % bytes.count] = value
        inject(bytes, to: side)
    }

    /// Bytes from the peer, through the parser as the shell's decoder would hand them over.
    mutating func inject(_ bytes: [UInt8], to side: Side) {
        var parser = RTSPParser(limits: .default)
        parser.append(bytes[...])
        while true {
            do {
                guard let message = try parser.next() else { return }
                apply(side) { $0.messageReceived(message, now: $1) }
            } catch {
                apply(side) { machine, _ in machine.malformedMessageReceived(error) }
                if error.closesConnection { return }
            }
        }
    }

    private mutating func take(_ side: Side) -> RTSPMessage? {
        switch side {
        case .sink: return toSink.isEmpty ? nil : toSink.removeFirst()
        case .source: return toSource.isEmpty ? nil : toSource.removeFirst()
        }
    }
}
