import Benchmark
import Foundation
import NIOCore
import NIOPosix
import SSTPCore
import SSTPRelay
import SSTPRoles

/// MS-GRVSSTP costs, each beside its floor: Data command encode and decode against
/// memcpy of the same payload bytes; sending 1 MiB messages over one connection against
/// a plain loopback TCP transfer of the same bytes; 256-byte messages with acknowledgments.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        maxDuration: .seconds(3),
        maxIterations: 100_000
    )

    let commands = 512  // 1 MiB of payload per iteration
    let payload = ByteBuffer(repeating: 0xA5, count: SSTP.Data.maximumPayload)
    var stream = ByteBuffer()
    SSTPMeasurements.encodeData(count: commands, into: &stream, payload: payload)
    let encoded = stream

    Benchmark("Data encode, 512 × 2048-byte payloads (1 MiB)", configuration: .init(scalingFactor: .one)) { benchmark in
        var buffer = ByteBuffer()
        buffer.reserveCapacity(encoded.readableBytes)
        for _ in benchmark.scaledIterations {
            SSTPMeasurements.encodeData(count: commands, into: &buffer, payload: payload)
            blackHole(buffer.readableBytes)
        }
    }

    Benchmark("Data decode, 512 × 2048-byte payloads (1 MiB)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(SSTPMeasurements.decodeData(encoded))
        }
    }

    // The listener's framing: 1 MiB of Data commands arriving as 64 KiB reads, cut by
    // SSTP.CommandFramer (slices; only a command split across two reads is copied).
    let reads: [ByteBuffer] = stride(from: 0, to: encoded.readableBytes, by: 64 << 10).map {
        encoded.getSlice(at: encoded.readerIndex + $0, length: min(64 << 10, encoded.readableBytes - $0)) ?? ByteBuffer()
    }
    Benchmark("Data framing, 1 MiB in 64 KiB reads (CommandFramer)") { benchmark in
        for _ in benchmark.scaledIterations {
            var framer = SSTP.CommandFramer()
            var frames = 0
            for read in reads { try? framer.process(read) { _ in frames += 1 } }
            blackHole(frames)
        }
    }

    // The codec hot path of one message sequence (Message, Data…, EndMessage), as the
    // data path sends it: 256-byte messages (many per second: per-message costs and
    // allocations show) and 1 MiB messages (per-byte costs show).
    for (label, size) in [("256-byte", 256), ("1 MiB", 1 << 20)] {
        let payload = ByteBuffer(repeating: 0x5A, count: size)
        var sequence = ByteBuffer()
        SSTPMeasurements.encodeMessage(payload: payload, into: &sequence)
        let encodedSequence = sequence
        Benchmark("Message sequence encode, \(label) payload") { benchmark in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(encodedSequence.readableBytes)
            for _ in benchmark.scaledIterations {
                SSTPMeasurements.encodeMessage(payload: payload, into: &buffer)
                blackHole(buffer.readableBytes)
            }
        }
        Benchmark("Message sequence decode, \(label) payload") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(SSTPMeasurements.decodeData(encodedSequence))
            }
        }
    }

    Benchmark("memcpy floor, 512 × 2048 bytes (1 MiB)") { benchmark in
        let source = [UInt8](repeating: 0x5A, count: commands * SSTP.Data.maximumPayload)
        var destination = [UInt8](repeating: 0, count: source.count)
        for _ in benchmark.scaledIterations {
            source.withUnsafeBytes { s in
                destination.withUnsafeMutableBytes { d in
                    var offset = 0
                    while offset < s.count {
                        memcpy(d.baseAddress! + offset, s.baseAddress! + offset, SSTP.Data.maximumPayload)
                        offset += SSTP.Data.maximumPayload
                    }
                }
            }
            blackHole(destination)
        }
    }

    Benchmark("send 16 × 1 MiB messages over one connection, acknowledged", configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(10), maxIterations: 20)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try await SSTPMeasurements.sendThroughput(messages: 16))
        }
    }

    Benchmark("2000 × 256-byte messages, acknowledged", configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(10), maxIterations: 20)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try await SSTPMeasurements.smallMessages(messages: 2000))
        }
    }

    Benchmark("relay: 5000 durable 256-byte messages, depositor to recipient", configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(20), maxIterations: 10)) { benchmark in
        for _ in benchmark.scaledIterations {
            let figure = try await RelayMeasurements.durableThroughput(messages: 5000)
            print(figure)
            blackHole(figure)
        }
    }
}
