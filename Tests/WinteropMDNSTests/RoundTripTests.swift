import NIOCore
import PropertyBased
import Testing
import WinteropWire
@testable import WinteropMDNS

/// Builds random but valid messages from a seed: names from a small pool of labels (so
/// suffixes repeat and compression is exercised) mixed with random byte labels, every
/// record type the codec knows plus opaque ones.
struct RandomMessages {
    var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    static let pool: [[UInt8]] = ["local", "_tcp", "_udp", "_display", "_services", "_dns-sd", "sink", "Living Room TV", "LOCAL", "a.b"].map { Array($0.utf8) }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func bool() -> Bool { int(0...1) == 1 }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(int(0...255)) } }

    mutating func name() -> DNSName {
        var labels: [[UInt8]] = []
        var length = 1
        for _ in 0..<int(0...5) {
            let label = int(0...3) == 0 ? bytes(int(1...63)) : Self.pool[int(0...Self.pool.count - 1)]
            guard length + 1 + label.count <= 255 else { break }
            length += 1 + label.count
            labels.append(label)
        }
        return (try? DNSName(labels: labels)) ?? .root
    }

    mutating func data() -> DNSRecordData {
        switch int(0...6) {
        case 0: return .a(bytes(4))
        case 1: return .aaaa(bytes(16))
        case 2: return .ptr(name())
        case 3: return .srv(priority: UInt16(int(0...65535)), weight: UInt16(int(0...65535)), port: UInt16(int(0...65535)), target: name())
        case 4: return .txt((0..<int(1...4)).map { _ in bytes(int(0...40)) })
        case 5:
            let types = Set((0..<int(0...8)).map { _ in DNSRecordType(UInt16(int(0...1100))) }).sorted { $0.rawValue < $1.rawValue }
            return .nsec(next: name(), types: types)
        default:
            let known: Set<UInt16> = [1, 12, 16, 28, 33, 47]
            var type = UInt16(int(0...65535))
            while known.contains(type) { type = UInt16(int(0...65535)) }
            return .opaque(type: DNSRecordType(type), bytes: bytes(int(0...30)))
        }
    }

    mutating func record() -> DNSResourceRecord {
        DNSResourceRecord(
            name: name(), recordClass: DNSClass(UInt16(int(0...3) == 0 ? int(0...0x7FFF) : 1)), cacheFlush: bool(),
            ttl: UInt32(int(0...Int(UInt32.max))), data: data())
    }

    mutating func message() -> DNSMessage {
        DNSMessage(
            header: DNSHeader(id: UInt16(int(0...65535)), flags: UInt16(int(0...65535))),
            questions: (0..<int(0...3)).map { _ in
                DNSQuestion(name: name(), type: DNSRecordType(UInt16(int(0...65535))), recordClass: DNSClass(UInt16(int(0...0x7FFF))), unicastResponse: bool())
            },
            answers: (0..<int(0...4)).map { _ in record() },
            authorities: (0..<int(0...2)).map { _ in record() },
            additionals: (0..<int(0...4)).map { _ in record() }
        )
    }
}

@Suite struct RoundTripTests {
    @Test func messagesSurviveEncodeThenDecode() async {
        await propertyCheck(count: 500, input: Gen.uint64(), Gen.bool) { seed, compress in
            var generator = RandomMessages(seed: seed)
            let message = generator.message()
            do {
                let bytes = try message.encode(compress: compress)
                let decoded = try DNSMessage.decode(bytes)
                #expect(decoded == message)
                // Labels keep their exact bytes (case included) and re-encode identically.
                #expect(decoded.answers.map(\.name.labels) == message.answers.map(\.name.labels))
                #expect(try decoded.encode(compress: compress) == bytes)
            } catch {
                Issue.record("seed \(seed): \(error)\n\(message)")
            }
        }
    }

    @Test func compressionNeverGrowsAMessage() async {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            var generator = RandomMessages(seed: seed)
            let message = generator.message()
            guard let compressed = try? message.encode(), let plain = try? message.encode(compress: false) else {
                Issue.record("seed \(seed): did not encode")
                return
            }
            #expect(compressed.readableBytes <= plain.readableBytes)
        }
    }

    @Test func headerFlagsRoundTrip() async {
        await propertyCheck(input: Gen.uint16(), Gen.uint16()) { id, flags in
            let header = DNSHeader(id: id, flags: flags)
            #expect(header.flags == flags)
            #expect(header.id == id)
        }
    }

    /// Truncating a valid message anywhere gives a WireError, never a crash or a success.
    @Test func everyTruncationIsAnError() async {
        await propertyCheck(count: 40, input: Gen.uint64()) { seed in
            var generator = RandomMessages(seed: seed)
            guard let bytes = try? generator.message().encode() else { return }
            for length in 0..<bytes.readableBytes {
                guard let prefix = bytes.getSlice(at: bytes.readerIndex, length: length) else { continue }
                if let decoded = try? DNSMessage.decode(prefix) {
                    Issue.record("seed \(seed): a \(length)-byte prefix decoded: \(decoded)")
                    return
                }
            }
        }
    }

    @Test func namesTextParsing() throws {
        #expect(try DNSName(parsing: "sink.local.") == DNSName(["SINK", "Local"]))
        #expect(try DNSName(parsing: ".") == .root)
        #expect(try DNSName(["a.b", "local"]).description == #"a\.b.local"#)
        #expect(try DNSName(["Living Room TV", "_display", "_tcp", "local"]).description == "Living Room TV._display._tcp.local")
    }
}
