import NIOCore
import Testing
import WinteropWire
@testable import WinteropMDNS

/// Every malformed name and record layout is a `WireError` naming the rule (RFC 1035
/// 2.3.4, 4.1.x; RFC 6763 6.1; RFC 4034 4.1.2), never a crash or a silent success.
@Suite struct MalformedMessageTests {
    static func bytes(_ hex: String) -> [UInt8] { GoldenTests.bytes(hex) }

    /// Header of a query with one question.
    static let oneQuestion = "0000 0000 0001 0000 0000 0000"
    /// Header of a response with one answer.
    static let oneAnswer = "0000 8400 0000 0001 0000 0000"

    func expectError(_ hex: String, section: String, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let message = try DNSMessage.decode(bytes: Self.bytes(hex))
            Issue.record("decoded a malformed message: \(message)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.section == section, "\(error)", sourceLocation: sourceLocation)
            #expect(error.description.contains(text), "\(error)", sourceLocation: sourceLocation)
            #expect(error.spec.hasPrefix("RFC "), sourceLocation: sourceLocation)
        }
    }

    // MARK: Names (RFC 1035 2.3.4, 4.1.4)

    @Test func pointerToItselfIsALoop() {
        expectError(Self.oneQuestion + "c00c 0001 0001", section: "4.1.4", containing: "loop")
    }

    @Test func pointerLoopThroughTwoNames() {
        // Question 1: "a" then a pointer forward to question 2's name, which points back.
        expectError(
            "0000 0000 0002 0000 0000 0000" + "01 61 c0 13 0001 0001" + "01 62 c0 0c 0001 0001",
            section: "4.1.4", containing: "points to")
    }

    @Test func pointerBackIntoItsOwnLabelsIsALoop() {
        // "a" at 12, "b" at 14, then a pointer to 14: behind the pointer but inside its own run.
        expectError(Self.oneQuestion + "01 61 01 62 c0 0e 0001 0001", section: "4.1.4", containing: "loop")
    }

    @Test func forwardPointerIsRejected() {
        expectError(Self.oneQuestion + "c0 12 0001 0001 00", section: "4.1.4", containing: "forward pointer")
    }

    @Test func pointerPastTheEndIsRejected() {
        expectError(Self.oneQuestion + "c0 ff 0001 0001", section: "4.1.4", containing: "points to")
    }

    @Test func pointerIntoTheHeaderIsRejected() {
        // A record whose name points at offset 2 (inside the header).
        expectError(Self.oneAnswer + "01 61 00 0001 0001 00000000 0004 01020304".replacingOccurrences(of: "01 61 00", with: "c0 02"),
                    section: "4.1.4", containing: "header")
    }

    @Test func truncatedPointerIsRejected() {
        expectError(Self.oneQuestion + "01 61 01 62 c0", section: "4.1.4", containing: "truncated")
    }

    @Test func reservedLabelTypesAreRejected() {
        expectError(Self.oneQuestion + "40 0001 0001", section: "4.1.4", containing: "label type 0x40")
        expectError(Self.oneQuestion + "80 0001 0001", section: "4.1.4", containing: "label type 0x80")
    }

    @Test func labelRunningPastTheEndIsRejected() {
        expectError(Self.oneQuestion + "3f 61 62 63 64", section: "4.1.4", containing: "truncated")
    }

    @Test func nameWithoutTerminatorIsRejected() {
        expectError(Self.oneQuestion + "01 61 01 62 01 63", section: "4.1.4", containing: "terminating zero")
    }

    @Test func nameLongerThan255BytesIsRejected() {
        // Five labels of 63 bytes: 5 × 64 + 1 = 321 bytes.
        let label = "3f" + String(repeating: "61", count: 63)
        expectError(Self.oneQuestion + String(repeating: label, count: 5) + "00 0001 0001",
                    section: "2.3.4", containing: "longer than 255")
    }

    @Test func nameLongerThan255BytesThroughPointersIsRejected() {
        // Question 1: four 63-byte labels (257 bytes with the zero: too long already at 4 labels? 4 × 64 + 1 = 257).
        let label = "3f" + String(repeating: "61", count: 63)
        let three = String(repeating: label, count: 3)
        // Question 1: three labels (193 bytes); question 2: two more labels then a pointer to question 1.
        let hex = "0000 0000 0002 0000 0000 0000" + three + "00 0001 0001" + label + "c00c 0001 0001"
        expectError(hex, section: "2.3.4", containing: "longer than 255")
    }

    @Test func exactly255BytesIsAccepted() throws {
        // 3 × 64 + 62 + 1 = 255: labels of 63, 63, 63 and 61 bytes.
        let hex = Self.oneQuestion + String(repeating: "3f" + String(repeating: "61", count: 63), count: 3)
            + "3d" + String(repeating: "62", count: 61) + "00 0001 0001"
        let message = try DNSMessage.decode(bytes: Self.bytes(hex))
        #expect(message.questions.first?.name.wireLength == 255)
    }

    @Test func buildingOverlongLabelsAndNamesThrows() {
        #expect(throws: EncodingError.self) { try DNSName(labels: [[UInt8](repeating: 0x61, count: 64)]) }
        #expect(throws: EncodingError.self) { try DNSName(labels: [[]]) }
        #expect(throws: EncodingError.self) { try DNSName(labels: Array(repeating: [UInt8](repeating: 0x61, count: 63), count: 4)) }
        #expect(throws: EncodingError.self) { try DNSName(parsing: "a..local") }
    }

    @Test func nameInRDATAMustEndWithinRDLENGTH() {
        // PTR with RDLENGTH 2 whose name "a" needs 3 bytes.
        expectError(Self.oneAnswer + "00 000c 0001 00000000 0002 01 61 00", section: "4.1.4", containing: "RDATA")
    }

    // MARK: Sections and counts (RFC 1035 4.1)

    @Test func truncatedHeaderIsRejected() {
        expectError("0000 0000 0001", section: "4.1.1", containing: "truncated")
    }

    @Test func countsBeyondTheBytesAreRejectedBeforeDecoding() {
        expectError("0000 0000 ffff ffff ffff ffff", section: "4.1.1", containing: "counts declare")
    }

    @Test func trailingBytesAreRejected() {
        expectError(Self.oneQuestion + "00 0001 0001 ff", section: "4.1", containing: "unexpected byte")
    }

    @Test func truncatedQuestionIsRejected() {
        expectError(Self.oneQuestion + "00 0001 00", section: "4.1.1", containing: "counts declare")
        expectError("0000 0000 0001 0000 0000 0000" + "01 61 00 0001 00", section: "4.1.2", containing: "truncated")
    }

    @Test func rdlengthPastTheEndIsRejected() {
        expectError(Self.oneAnswer + "00 0001 0001 00000000 0008 01020304", section: "4.1.3", containing: "truncated")
    }

    // MARK: RDATA layouts

    @Test func addressLengthsAreExact() {
        expectError(Self.oneAnswer + "00 0001 0001 00000000 0005 0102030405", section: "3.4.1", containing: "4 bytes")
        expectError(Self.oneAnswer + "00 001c 0001 00000000 000f" + String(repeating: "00", count: 15), section: "2.2", containing: "16 bytes")
    }

    @Test func ptrWithTrailingBytesIsRejected() {
        expectError(Self.oneAnswer + "00 000c 0001 00000000 0004 01 61 00 ff", section: "4.1.3", containing: "RDLENGTH is 4")
    }

    @Test func shortSRVIsRejected() {
        expectError(Self.oneAnswer + "00 0021 0001 00000000 0006 0000 0000 1c52", section: "RDATA", containing: "at least 7")
    }

    @Test func emptyTXTIsRejected() {
        expectError(Self.oneAnswer + "00 0010 0001 00000000 0000", section: "6.1", containing: "at least one string")
    }

    @Test func txtStringOverrunningRDLENGTHIsRejected() {
        expectError(Self.oneAnswer + "00 0010 0001 00000000 0003 05 6162 0000", section: "3.3.14", containing: "runs past")
    }

    /// A malformed NSEC bitmap (length 0 or 33, windows out of order, past RDLENGTH:
    /// RFC 4034 4.1.2) stays inside its RDLENGTH, so it is kept as opaque RDATA and the
    /// message's other records still count (python-zeroconf 0.47 sends empty bitmaps).
    @Test func malformedNSECBitmapsAreKeptOpaque() throws {
        for rdata in ["00 00 00", "00 00 21" + String(repeating: "00", count: 33), "00 01 01 40 00 01 40", "00 00 04 40"] {
            let bytes = Self.bytes(rdata)
            let hex = String(format: "%04x", bytes.count)
            let message = try DNSMessage.decode(bytes: Self.bytes(Self.oneAnswer + "00 002f 0001 00000000 \(hex) " + rdata))
            #expect(message.answers.first?.data == .opaque(type: .nsec, bytes: bytes), "\(rdata)")
        }
    }

    /// An NSEC whose bitmap is sound decodes to its types.
    @Test func wellFormedNSECDecodes() throws {
        let message = try DNSMessage.decode(bytes: Self.bytes(Self.oneAnswer + "00 002f 0001 00000000 0004 00 00 01 40"))
        #expect(message.answers.first?.data == .nsec(next: try DNSName([]), types: [.a]))
    }

    @Test func unknownTypesAreKeptOpaque() throws {
        let message = try DNSMessage.decode(bytes: Self.bytes(Self.oneAnswer + "00 0063 0001 00000005 0003 010203"))
        #expect(message.answers.first?.data == .opaque(type: DNSRecordType(99), bytes: [1, 2, 3]))
        #expect(Array(try message.encode().readableBytesView) == Self.bytes(Self.oneAnswer + "00 0063 0001 00000005 0003 010203"))
    }

    @Test func nsecDecodesTypes() throws {
        // NSEC for "a" listing A (1) and TXT (16), AAAA (28): window 0, 4 bytes.
        let message = try DNSMessage.decode(bytes: Self.bytes(Self.oneAnswer + "01 61 00 002f 8001 00000078 0008 c00c 00 04 40 00 80 08"))
        #expect(message.answers.first?.data == .nsec(next: try DNSName(["a"]), types: [.a, .txt, .aaaa]))
        #expect(message.answers.first?.cacheFlush == true)
    }
}
