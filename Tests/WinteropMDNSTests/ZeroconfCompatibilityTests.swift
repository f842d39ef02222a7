import Testing
import WinteropWire
@testable import WinteropMDNS

/// Answers from python-zeroconf 0.47 (Debian 12's `python3-zeroconf`), captured on a
/// loopback namespace: its negative AAAA answer is an NSEC with an empty bitmap, which
/// RFC 4034 4.1.2 does not allow. The record is kept as opaque RDATA so that the A answer
/// beside it still resolves the name.
@Suite struct ZeroconfCompatibilityTests {
    static let answer = "000084000000000200000000067a6373696e6b056c6f63616c00000180010000007800047f000001c00c002f800100001194000ac00c0000000400000008"

    @Test func anNSECWithAnEmptyBitmapDoesNotHideTheAAnswer() throws {
        let message = try DNSMessage.decode(bytes: try #require(Hex.decode(Self.answer)))
        #expect(message.answers.count == 2)
        #expect(message.answers.first?.data == .a([127, 0, 0, 1]))
        #expect(message.answers.last?.data == .opaque(type: .nsec, bytes: [0xc0, 0x0c, 0, 0, 0, 4, 0, 0, 0, 8]))
    }
}
