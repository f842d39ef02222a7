import PropertyBased
import WDSMSICore


extension Xoshiro {
    init(seed: UInt64) {
        self.init(seed: (seed, ~seed, seed &* 0x9E37_79B9_7F4A_7C15 | 1, 0x2545_F491_4F6C_DD1D))
    }
}

/// Random valid messages of both paths, for round trips.
enum RandomMessages {
    /// Text without NUL, sometimes outside ASCII and the BMP.
    static func text(_ rng: inout Xoshiro, maxLength: Int = 40) -> String {
        let alphabet: [Character] = Array("abcXYZ09 ./:-_") + ["é", "ß", "中", "😀"]
        return String((0..<Int.random(in: 0...maxLength, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    }

    static func bytes(_ rng: inout Xoshiro, _ range: ClosedRange<Int>) -> [UInt8] {
        (0..<Int.random(in: range, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }

    static func address(_ rng: inout Xoshiro) -> IPAddress {
        Bool.random(using: &rng) ? .v4(bytes(&rng, 4...4)) : .v6(bytes(&rng, 16...16))
    }

    static func udpMessage(seed: UInt64) -> UDPMessage {
        var rng = Xoshiro(seed: seed)
        switch rng.next() % 3 {
        case 0:
            return .request(MulticastSessionInitiationRequest(
                namespace: text(&rng), content: text(&rng), macAddress: bytes(&rng, 6...6),
                ipv6Capable: [nil, true, false].randomElement(using: &rng)!
            ))
        case 1:
            let port = UInt16.random(in: 0...UInt16.max, using: &rng)
            return .reply(MulticastSessionInitiationReply(
                multicastAddress: address(&rng), serverAddress: address(&rng), multicastPort: port, serverPort: port,
                contentSize: rng.next(), blockSize: UInt32.random(in: 0...UInt32.max, using: &rng),
                totalBlocks: rng.next(), sessionId: UInt32.random(in: 0...UInt32.max, using: &rng)
            ))
        default:
            return .error(MulticastSessionInitiationError(error: Win32Error(UInt32.random(in: 0...UInt32.max, using: &rng))))
        }
    }

    static func value(_ rng: inout Xoshiro) -> WDSC.Value {
        switch rng.next() % 8 {
        case 0: return .byte(UInt8.random(in: 0...255, using: &rng))
        case 1: return .ushort(UInt16.random(in: 0...UInt16.max, using: &rng))
        case 2: return .ulong(UInt32.random(in: 0...UInt32.max, using: &rng))
        case 3: return .ulong64(rng.next())
        case 4: return .string(String(text(&rng).unicodeScalars.filter(\.isASCII)))
        case 5: return .wstring(text(&rng))
        case 6: return .blob(bytes(&rng, 0...70))
        default:
            let base = WDSC.BaseType.allCases.randomElement(using: &rng)!
            let length = base.fixedSize ?? Int.random(in: 0...9, using: &rng)
            let count = Int.random(in: 1...5, using: &rng)
            return .array(base, elementLength: UInt32(length), count: UInt32(count), bytes: bytes(&rng, length * count...length * count))
        }
    }

    static func wdscPacket(seed: UInt64) -> WDSC.Packet {
        var rng = Xoshiro(seed: seed)
        var names = Set<String>()
        var variables: [WDSC.Variable] = []
        for _ in 0..<Int.random(in: 0...12, using: &rng) {
            let name = String(text(&rng, maxLength: 32).utf16.prefix(32)).flatMap { $0 } ?? "v"
            let chosen = name.isEmpty ? "v\(variables.count)" : name
            guard names.insert(chosen.lowercased()).inserted else { continue }
            variables.append(WDSC.Variable(chosen, value(&rng)))
        }
        let guid = WDSC.GUID(bytes: bytes(&rng, 16...16))!
        return WDSC.Packet(
            endpointGUID: guid, packetType: Bool.random(using: &rng) ? .request : .reply,
            opCodeOrErrorCode: UInt32.random(in: 0...UInt32.max, using: &rng), variables: variables
        )
    }
}
