import MICECore
import NIOCore
import PropertyBased
import Testing
import WinteropWire

/// decode ∘ encode is the identity on generated messages.
@Suite struct RoundTripTests {
    static let names = Gen<UInt16>.value(in: 0x20...0xD7FF).array(of: 1...260).map { units in
        String(decoding: units, as: UTF16.self)
    }
    static let sourceIDs = Gen.uint8().array(of: 16...16).map { SourceID($0)! }

    static func roundTrip(_ message: MICEMessage) {
        do {
            let bytes = try message.encoded()
            #expect(try MICEMessage.decode(bytes: bytes) == message)
        } catch {
            Issue.record("round trip failed: \(error)")
        }
    }

    @Test func sourceReadyAndStopProjection() async {
        await propertyCheck(input: Self.names, Gen.uint16(), Self.sourceIDs, Gen.bool) { name, port, sid, withName in
            Self.roundTrip(.sourceReady(SourceReadyMessage(friendlyName: withName ? name : nil, rtspPort: port, sourceID: sid)))
            Self.roundTrip(.stopProjection(StopProjectionMessage(friendlyName: withName ? name : nil, sourceID: sid)))
        }
    }

    @Test func sessionRequestAndHandshake() async {
        await propertyCheck(input: Self.names, Gen.int(in: 0...2), Self.sourceIDs, Gen.uint8().array(of: 1...2000)) { name, bits, sid, token in
            let options: SecurityOptions = bits == 0 ? [] : bits == 1 ? [.useDTLSStreamEncryption] : [.useDTLSStreamEncryption, .sinkDisplaysPIN]
            Self.roundTrip(.sessionRequest(SessionRequestMessage(securityOptions: options, friendlyName: name, sourceID: sid)))
            Self.roundTrip(.securityHandshake(SecurityHandshakeMessage(securityToken: token, sourceID: bits == 1 ? sid : nil)))
        }
    }

    @Test func pinMessages() async {
        await propertyCheck(input: Gen.uint8().array(of: 32...32), Self.sourceIDs, Gen.int(in: 0...2)) { hash, sid, reason in
            Self.roundTrip(.pinChallenge(PINChallengeMessage(pinChallenge: hash, sourceID: sid)))
            let r = PINResponseReason(rawValue: UInt8(reason))!
            Self.roundTrip(.pinResponse(PINResponseMessage(pinChallenge: r == .pinAccepted ? hash : nil, reason: r, sourceID: sid)))
        }
    }

    @Test func vendorExtension() async {
        let host = Gen<UInt8>.value(in: 0x41...0x5A).array(of: 1...40).map { String(decoding: $0, as: UTF8.self) }
        await propertyCheck(input: Gen.uint8(), host, Gen.uint8().array(of: 0...4)) { capability, host, octets in
            let attribute = VendorExtensionAttribute(
                capability: MICECapability(rawValue: capability), hostName: host,
                ipAddresses: octets.map { "10.0.0.\($0)" }
            )
            do {
                #expect(try VendorExtensionAttribute.decode(try attribute.encoded()) == attribute)
            } catch {
                Issue.record("round trip failed: \(error)")
            }
        }
    }
}
