import MICECore
import NIOCore
import WinteropWire

/// Drives the MS-MICE sink and source state machines with event sequences read from
/// the fuzzer's bytes (decoded messages, DTLS outcomes, timers, the higher layer) and
/// checks what must hold whatever the peer does: no connect-back without the configured
/// pairing, no action after close, at most one connect-back per connection.
enum MICEMachineFuzz {
    static let sid = SourceID([UInt8](repeating: 7, count: 16)) ?? .zero
    static let pin = "24681357"
    static let sinkIP: [UInt8] = [127, 0, 0, 1]
    static let sourceIP: [UInt8] = [127, 0, 0, 2]

    /// The messages a byte picks.
    static func message(_ selector: UInt8, rightPIN: Bool) -> MICEMessage {
        let options: [SecurityOptions] = [[], [.useDTLSStreamEncryption], [.useDTLSStreamEncryption, .sinkDisplaysPIN]]
        switch selector % 7 {
        case 0: return .sessionRequest(.init(securityOptions: options[Int(selector / 7) % 3], friendlyName: "F", sourceID: sid))
        case 1: return .securityHandshake(.init(securityToken: [0x16, 0xFE, 0xFD], sourceID: sid))
        case 2: return .sourceReady(.init(friendlyName: nil, rtspPort: 7236, sourceID: sid))
        case 3: return .pinChallenge(.init(pinChallenge: PINHash.compute(pin: rightPIN ? pin : "11111111", senderAddress: sourceIP), sourceID: sid))
        case 4: return .stopProjection(.init(friendlyName: nil, sourceID: sid))
        case 5: return .pinResponse(.init(pinChallenge: PINHash.compute(pin: pin, senderAddress: sinkIP), reason: .pinAccepted, sourceID: sid))
        default: return .pinResponse(.init(pinChallenge: nil, reason: .wrongPIN, sourceID: sid))
        }
    }

    @Sendable static func sink(_ bytes: [UInt8]) {
        guard let flags = bytes.first else { return }
        let pinOn = flags & 1 != 0
        let allowUnpaired = flags & 2 != 0
        let rightPIN = flags & 4 != 0
        var machine = SinkStateMachine(
            configuration: .init(streamEncryptionSupported: true, pin: pinOn ? pin : nil, friendlyName: "S", allowUnpaired: allowUnpaired),
            sinkAddress: sinkIP, sourceAddress: sourceIP)
        var closed = false
        var connectBacks = 0
        var pinAccepted = false
        func apply(_ actions: [SinkStateMachine.Action]) {
            precondition(!closed || actions.isEmpty, "sink acted after close: \(actions)")
            for action in actions {
                switch action {
                case .connectRTSP:
                    connectBacks += 1
                    precondition(!(pinOn && !allowUnpaired) || pinAccepted, "sink connected back without pairing")
                case .report(.pinResult(let accepted, _)) where accepted:
                    pinAccepted = true
                case .close:
                    closed = true
                default:
                    break
                }
            }
            precondition(connectBacks <= 1, "more than one connect-back on one connection")
        }
        apply(machine.connectionEstablished())
        for byte in bytes.dropFirst() {
            switch byte >> 5 {
            case 0, 1, 2: apply(machine.messageReceived(message(byte, rightPIN: rightPIN)))
            case 3: apply(machine.dtlsHandshakeProgressed(records: byte & 1 == 0 ? [[1]] : [], complete: byte & 2 != 0))
            case 4: apply(byte & 1 == 0 ? machine.sessionEstablishmentTimerFired() : machine.securityHandshakeTimerFired())
            case 5: apply(byte & 1 == 0 ? machine.rtspConnected() : machine.rtspConnectionFailed("x"))
            case 6: apply(byte & 1 == 0 ? machine.dtlsFailed("x") : machine.rtspConnectionLost())
            default: apply(byte & 1 == 0 ? machine.disconnectRequested() : machine.connectionClosed())
            }
        }
    }

    @Sendable static func source(_ bytes: [UInt8]) {
        guard let flags = bytes.first else { return }
        let usePIN = flags & 1 != 0
        let encryption = usePIN || flags & 2 != 0
        var machine = SourceStateMachine(
            configuration: .init(
                sinkCapability: MICECapability(streamEncryption: encryption, pin: usePIN), useStreamEncryption: encryption,
                usePINEntry: usePIN, friendlyName: "F", sourceID: sid, rtspPort: 7236),
            pin: flags & 4 != 0 ? pin : nil)
        var closed = false
        var sourceReadies = 0
        var pinAccepted = false
        func apply(_ actions: [SourceStateMachine.Action]) {
            precondition(!closed || actions.isEmpty, "source acted after close: \(actions)")
            for action in actions {
                switch action {
                case .send(.sourceReady, _):
                    sourceReadies += 1
                    precondition(!usePIN || pinAccepted, "source sent SOURCE_READY before the sink accepted its PIN")
                case .report(.pinResult(let accepted, _)) where accepted:
                    pinAccepted = true
                case .close:
                    closed = true
                default:
                    break
                }
            }
            precondition(sourceReadies <= 1, "more than one SOURCE_READY")
        }
        apply(machine.hostNameResolved())
        apply(machine.connectionEstablished(sourceAddress: sourceIP, sinkAddress: sinkIP))
        for byte in bytes.dropFirst() {
            switch byte >> 5 {
            case 0, 1, 2: apply(machine.messageReceived(message(byte, rightPIN: true)))
            case 3: apply(machine.dtlsHandshakeProgressed(records: byte & 1 == 0 ? [[1]] : [], complete: byte & 2 != 0))
            case 4: apply(byte & 1 == 0 ? machine.controlChannelTimerFired() : machine.securityHandshakeTimerFired())
            case 5: apply(byte & 1 == 0 ? machine.rtspConnectionAccepted() : machine.pinEntered(pin))
            case 6: apply(byte & 1 == 0 ? machine.dtlsFailed("x") : machine.pinUnavailable("x"))
            default: apply(byte & 1 == 0 ? machine.disconnectRequested() : machine.connectionClosed())
            }
        }
    }
}
