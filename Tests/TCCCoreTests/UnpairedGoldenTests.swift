import NIOCore
import TCCCore
import Testing
import WinteropWire

/// The unpaired flow of revision 10.0 against bytes computed independently with Python's
/// `hmac` and `cryptography` (Vectors/unpaired_vectors.py; its output is pasted here).
@Suite struct UnpairedGoldenTests {
    static func bytes(_ hex: String) -> [UInt8] { Hex.decode(hex) ?? [] }

    static let keys = UnpairedKeys(k1: Array(0x00..<0x20), k2: Array(0x20..<0x40), k3: Array(0x40..<0x60))
    static let iv: [UInt8] = Array(0x60..<0x70)
    /// 2024-04-23T00:00:00Z.
    static let timestamp = FileTime(133_583_040_000_000_000)

    static let request = bytes("01002e08000801da95112f3780000900207b0f96ff17f603cf99a30be00a31115ff9def7786201c5a2263a2e10d1d8047c")
    static let unpaired = bytes(
        "050079090020fd15979b028b91eecbef445a696179bbfc0cd91f3dc90ce3d35acd91aa99cb330a0010606162636465666768696a6b6c6d6e6f0b0040"
            + "f3b88d08ed079c0a78e3160d40bff670821d49e415da0c7a9e5205f5e2567f524df1a5e2d9d581c5cea0ff61294a1ef552824508abd3ac3d4fdda5ecfb53853e")

    static let settings = BringUpSuccessResponse(
        ssid: Ssid("Sample SSID")!, bssid: Bssid("01:02:03:04:05:06"), passphrase: Passphrase("secret123")!, displayName: "Bob's phone")

    @Test func fileTimeOfUnixTime() {
        #expect(FileTime(unixNanoseconds: 1_713_830_400 * 1_000_000_000) == Self.timestamp)
        #expect(Self.timestamp.bytes == Self.bytes("01da95112f378000"))
    }

    @Test func requestHMAC() throws {
        let keys = try #require(Self.keys)
        #expect(try UnpairedCrypto.authenticatedRequest(now: Self.timestamp, keys: keys).encoded() == Self.request)
        guard case .bringUpStartRequest(let decoded) = try TCCMessage.decode(bytes: Self.request), let auth = decoded.authentication else {
            Issue.record("not an authenticated request"); return
        }
        #expect(UnpairedCrypto.isValid(auth, keys: keys))
        var tampered = auth
        tampered.hmac[31] ^= 1
        #expect(!UnpairedCrypto.isValid(tampered, keys: keys))
        tampered = auth
        tampered.timestamp = FileTime(auth.timestamp.value + 1)
        #expect(!UnpairedCrypto.isValid(tampered, keys: keys))
    }

    @Test func sealedResponse() throws {
        let keys = try #require(Self.keys)
        let sealed = try UnpairedCrypto.seal(Self.settings, clientTimestamp: Self.timestamp, iv: Self.iv, keys: keys)
        #expect(try sealed.encoded() == Self.unpaired)
    }

    @Test func openedResponse() throws {
        let keys = try #require(Self.keys)
        guard case .bringUpSuccessResponseUnpaired(let message) = try TCCMessage.decode(bytes: Self.unpaired) else {
            Issue.record("not an unpaired response"); return
        }
        #expect(try UnpairedCrypto.open(message, clientTimestamp: Self.timestamp, keys: keys) == Self.settings)
    }

    @Test func tamperingIsCaughtByTheHMAC() throws {
        let keys = try #require(Self.keys)
        guard case .bringUpSuccessResponseUnpaired(let message) = try TCCMessage.decode(bytes: Self.unpaired) else {
            Issue.record("not an unpaired response"); return
        }
        for field in 0..<3 {
            var altered = message
            switch field {
            case 0: altered.hmac[0] ^= 0x80
            case 1: altered.initializationVector[5] ^= 0x01
            default: altered.encryptedResponse[17] ^= 0x01
            }
            #expect(throws: UnpairedCrypto.OpenError.hmacMismatch) {
                try UnpairedCrypto.open(altered, clientTimestamp: Self.timestamp, keys: keys)
            }
        }
        let otherK2 = try #require(UnpairedKeys(k1: Array(0x00..<0x20), k2: Array(repeating: 9, count: 32), k3: Array(0x40..<0x60)))
        #expect(throws: (any Error).self) { try UnpairedCrypto.open(message, clientTimestamp: Self.timestamp, keys: otherK2) }
    }

    @Test func skewWindow() {
        let now = Self.timestamp
        let fiveMinutes: UInt64 = 300 * 10_000_000
        #expect(UnpairedCrypto.isWithinSkew(FileTime(now.value - fiveMinutes), now: now, maximumSkew: .seconds(300)))
        #expect(UnpairedCrypto.isWithinSkew(FileTime(now.value + fiveMinutes), now: now, maximumSkew: .seconds(300)))
        #expect(!UnpairedCrypto.isWithinSkew(FileTime(now.value + fiveMinutes + 1), now: now, maximumSkew: .seconds(300)))
        #expect(!UnpairedCrypto.isWithinSkew(FileTime(now.value - fiveMinutes - 1), now: now, maximumSkew: .seconds(300)))
        #expect(UnpairedCrypto.isWithinSkew(now, now: now, maximumSkew: .zero))
    }
}
