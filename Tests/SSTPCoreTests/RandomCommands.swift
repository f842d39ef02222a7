import NIOCore
import SSTPCore

/// A small deterministic generator (SplitMix64) for building random valid commands from
/// a seed that swift-property-based supplies.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random valid commands of every kind, for round trips.
enum RandomCommands {
    static func url(_ rng: inout SplitMix, nonEmpty: Bool = false) -> String {
        let length = Int.random(in: (nonEmpty ? 1 : 0)...24, using: &rng)
        return String((0..<length).map { _ in Character(UnicodeScalar(UInt8.random(in: 1...127, using: &rng))) })
    }

    static func bytes(_ rng: inout SplitMix, max: Int = 40) -> [UInt8] {
        (0..<Int.random(in: 0...max, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }

    static func pick<T>(_ values: [T], _ rng: inout SplitMix) -> T { values[Int.random(in: 0..<values.count, using: &rng)] }

    static func make(_ id: SSTP.CommandId, version: SSTP.Version, seed: UInt64) -> SSTP.Command {
        var rng = SplitMix(seed: seed)
        let u32 = { (rng: inout SplitMix) in UInt32.random(in: 0...UInt32.max, using: &rng) }
        let bool = { (rng: inout SplitMix) in Bool.random(using: &rng) }
        switch id {
        case .connect:
            return .connect(SSTP.Connect(
                majorVersion: UInt8.random(in: 0...3, using: &rng), minorVersion: UInt8.random(in: 0...9, using: &rng),
                targetDeviceURL: url(&rng), sourceDeviceURLs: (0..<Int.random(in: 0...5, using: &rng)).map { _ in url(&rng) },
                authenticationToken: bytes(&rng), peerProductVersion: url(&rng), peerProductCapabilities: url(&rng)
            ))
        case .connectResponse:
            let response = pick(SSTP.ConnectResponse.ResponseId.allCases, &rng)
            let flags = response != .newVersionRequired
            return .connectResponse(SSTP.ConnectResponse(
                majorVersion: 1, minorVersion: UInt8.random(in: 5...6, using: &rng), responseId: response,
                authenticationToken: bytes(&rng), singleHopFanout: flags && bool(&rng), multidropFanout: flags && bool(&rng),
                peerProductVersion: url(&rng), peerProductCapabilities: url(&rng),
                targetDeviceURLs: response == .ok ? (0..<Int.random(in: 0...4, using: &rng)).map { _ in url(&rng) } : [],
                retryTime: response.hasRetryTime ? u32(&rng) : nil
            ))
        case .connectAuthenticate:
            return .connectAuthenticate(SSTP.ConnectAuthenticate(authenticationToken: bytes(&rng)))
        case .connectClose:
            let reason = pick(SSTP.ConnectClose.Reason.allCases, &rng)
            return .connectClose(SSTP.ConnectClose(reason: reason, messageCount: u32(&rng), returnTime: reason == .resting ? u32(&rng) : nil))
        case .open:
            return .open(SSTP.Open(
                sessionId: u32(&rng),
                addressingEntry: SSTP.AddressingEntry(resourceURL: url(&rng, nonEmpty: true), identityURL: url(&rng, nonEmpty: true), deviceURL: url(&rng)),
                identityTargetedBit: bool(&rng)
            ))
        case .fanoutOpen:
            return .fanoutOpen(SSTP.FanoutOpen(
                sessionId: u32(&rng), resourceURL: url(&rng, nonEmpty: true), identityTargetedBit: bool(&rng),
                entries: (0..<Int.random(in: 0...6, using: &rng)).map { _ in
                    SSTP.FanoutOpen.Entry(identityURL: url(&rng, nonEmpty: true), deviceURL: url(&rng), relayURL: url(&rng))
                }
            ))
        case .openResponse:
            return .openResponse(SSTP.OpenResponse(sessionId: u32(&rng), responseId: pick(SSTP.OpenResponse.ResponseId.allCases, &rng)))
        case .sessionStatus:
            let status = pick(SSTP.SessionStatus.StatusId.allCases, &rng)
            switch version {
            case .v1_5:
                return .sessionStatus(SSTP.SessionStatus(
                    sessionId: u32(&rng), statusId: status, deviceURL: url(&rng),
                    identityURL: status.concernsRelay ? "" : url(&rng, nonEmpty: true)
                ))
            case .v1_6:
                let form = Int.random(in: 0...2, using: &rng)
                if form == 2 {
                    return .sessionStatus(SSTP.SessionStatus(
                        sessionId: u32(&rng), statusId: status, deviceURL: "", identityURL: "",
                        fanoutDeviceIndexes: (0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt16.random(in: 0...UInt16.max, using: &rng) }
                    ))
                }
                return .sessionStatus(SSTP.SessionStatus(
                    sessionId: u32(&rng), statusId: status, deviceURL: url(&rng), identityURL: url(&rng, nonEmpty: true),
                    fanoutDeviceIndexes: form == 0 ? nil : []
                ))
            }
        case .close:
            return .close(SSTP.Close(sessionId: u32(&rng), reason: pick(SSTP.Close.Reason.allCases, &rng)))
        case .message:
            return .message(SSTP.Message(
                sessionId: u32(&rng), messageCount: u32(&rng), track: bool(&rng), acknowledgeImmediately: bool(&rng),
                doNotDeliverIfOffline: bool(&rng), userRef: url(&rng),
                ephemeral: bool(&rng) ? .init(ttl: u32(&rng), hasReservedFields: bool(&rng)) : nil,
                streamSize: bool(&rng) ? .init(byteStreamSize: rng.next(), sessionSize: rng.next(), messageSize: rng.next()) : nil,
                fragmentation: bool(&rng) ? .init(numFragments: u32(&rng), thisFragment: u32(&rng), fragmentId: url(&rng), fragmentOffset: rng.next()) : nil
            ))
        case .data:
            return .data(SSTP.Data(sessionId: u32(&rng), payload: ByteBuffer(bytes: bytes(&rng, max: SSTP.Data.maximumPayload))))
        case .endMessage:
            return .endMessage(SSTP.EndMessage(sessionId: u32(&rng)))
        case .noop:
            return .noop(SSTP.Noop(messageCount: u32(&rng)))
        case .attach:
            return .attach(SSTP.Attach(eventId: u32(&rng), resourceURL: url(&rng), accountURL: url(&rng, nonEmpty: true), authenticationToken: bytes(&rng)))
        case .attachResponse:
            return .attachResponse(SSTP.AttachResponse(eventId: u32(&rng), responseId: pick(SSTP.AttachResponse.ResponseId.allCases, &rng), authenticationToken: bytes(&rng)))
        case .attachAuthenticate:
            return .attachAuthenticate(SSTP.AttachAuthenticate(eventId: u32(&rng), authenticationToken: bytes(&rng)))
        case .register:
            return .register(SSTP.Register(eventId: u32(&rng), registrationToken: bytes(&rng, max: 6000)))
        case .registerResponse:
            return .registerResponse(SSTP.RegisterResponse(eventId: u32(&rng), registrationToken: bytes(&rng)))
        }
    }
}
