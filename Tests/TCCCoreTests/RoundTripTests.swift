import NIOCore
import PropertyBased
import TCCCore
import Testing
import WinteropWire

/// decode ∘ encode is the identity on generated messages, and generated unpaired
/// responses open to what was sealed.
@Suite struct RoundTripTests {
    static let ssids = Gen.uint8().array(of: 0...32).map { Ssid(bytes: $0)! }
    static let shortPassphrases = Gen<UInt8>.value(in: 32...126).array(of: 8...63).map { Passphrase(String(decoding: $0, as: UTF8.self))! }
    static let hexPassphrases = Gen.element(of: Array("0123456789abcdefABCDEF".utf8)).array(of: 64).map { Passphrase(String(decoding: $0.compactMap { $0 }, as: UTF8.self))! }
    static let texts = Gen<UInt16>.value(in: 0x20...0xD7FF).array(of: 0...80).map { String(decoding: $0, as: UTF16.self) }

    static func roundTrip(_ message: TCCMessage) {
        do {
            #expect(try TCCMessage.decode(bytes: try message.encoded()) == message)
        } catch {
            Issue.record("round trip of \(message) failed: \(error)")
        }
    }

    @Test func successResponses() async {
        await propertyCheck(input: Self.ssids, Gen.uint8().array(of: 6), Gen.bool, Self.shortPassphrases, Self.hexPassphrases, Self.texts) { ssid, bssid, withBssid, short, hex, name in
            Self.roundTrip(.bringUpSuccessResponse(.init(ssid: ssid, bssid: withBssid ? Bssid(bytes: bssid) : nil, passphrase: withBssid ? short : hex, displayName: name)))
        }
    }

    @Test func failureAndProtocolErrorResponses() async {
        await propertyCheck(input: Gen<UInt8>.value(in: 1...255), Self.texts, Gen.uint8()) { status, text, id in
            Self.roundTrip(.bringUpFailureResponse(BringUpFailureResponse(statusCode: .init(rawValue: status), errorString: text)!))
            Self.roundTrip(.protocolErrorResponse(.init(messageType: id)))
        }
    }

    @Test func requestsAndUnpairedResponses() async {
        await propertyCheck(input: Gen.uint64(), Gen.uint8().array(of: 32), Gen.uint8().array(of: 16), Gen.uint8().array(of: 0...300)) { time, mac, iv, ciphertext in
            Self.roundTrip(.bringUpStartRequest(.init(authentication: .init(timestamp: FileTime(time), hmac: mac))))
            Self.roundTrip(.bringUpStartRequest(.init()))
            Self.roundTrip(.bringUpSuccessResponseUnpaired(.init(hmac: mac, initializationVector: iv, encryptedResponse: ciphertext)))
        }
    }

    @Test func sealThenOpen() async throws {
        let keys = try #require(UnpairedKeys(k1: Array(repeating: 1, count: 32), k2: Array(repeating: 2, count: 32), k3: Array(repeating: 3, count: 32)))
        await propertyCheck(input: Self.ssids, Self.shortPassphrases, Self.texts, Gen.uint8().array(of: 16), Gen.uint64()) { ssid, passphrase, name, iv, time in
            let response = BringUpSuccessResponse(ssid: ssid, bssid: nil, passphrase: passphrase, displayName: name)
            do {
                let sealed = try UnpairedCrypto.seal(response, clientTimestamp: FileTime(time), iv: iv, keys: keys)
                #expect(try UnpairedCrypto.open(sealed, clientTimestamp: FileTime(time), keys: keys) == response)
                // Any other timestamp fails the HMAC.
                #expect(throws: UnpairedCrypto.OpenError.hmacMismatch) {
                    try UnpairedCrypto.open(sealed, clientTimestamp: FileTime(time &+ 1), keys: keys)
                }
            } catch {
                Issue.record("seal/open failed: \(error)")
            }
        }
    }
}
