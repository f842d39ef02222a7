import Benchmark
import NIOCore
import WinteropWire

/// Wire-module costs: walking TLVs and decoding UTF-16LE, each measured against
/// copying the same bytes (the floor: a decoder cannot beat reading its input).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )

    // 64 TLVs of 32 bytes in MS-MICE's layout (1-byte type, 2-byte big-endian length).
    let format = TLVFormat(typeWidth: .one, lengthWidth: .two, endianness: .big, minimumLength: 1)
    var tlvBuffer = ByteBuffer()
    for index in 0..<64 {
        try? tlvBuffer.writeTLV(type: UInt32(index % 7), value: [UInt8](repeating: UInt8(index), count: 32), format: format)
    }
    let tlvBytes = Array(tlvBuffer.readableBytesView)

    Benchmark("TLV walk, 64 items of 32 bytes (\(tlvBytes.count) bytes)") { benchmark in
        for _ in benchmark.scaledIterations {
            var iterator = TLVIterator(tlvBuffer, format: format, reference: SpecReference("bench", "TLV"))
            var total = 0
            while let item = try iterator.next() { total &+= item.value.readableBytes }
            blackHole(total)
        }
    }

    Benchmark("memcpy floor, same \(tlvBytes.count) bytes") { benchmark in
        var destination = [UInt8](repeating: 0, count: tlvBytes.count)
        for _ in benchmark.scaledIterations {
            destination.withUnsafeMutableBytes { out in
                tlvBytes.withUnsafeBytes { input in out.copyMemory(from: input) }
            }
            blackHole(destination)
        }
    }

    let name = String(repeating: "Living Room Display ", count: 12)
    let utf16 = UTF16LE.encode(name)
    Benchmark("UTF-16LE decode, \(utf16.count) bytes") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try UTF16LE.decode(utf16, field: "FriendlyName", SpecReference("bench", "text")))
        }
    }

    Benchmark("Integer reads, 1024 × UInt32 big-endian") { benchmark in
        var buffer = ByteBuffer()
        for value in 0..<1024 { buffer.writeInteger(UInt32(value)) }
        for _ in benchmark.scaledIterations {
            var reader = WireReader(buffer, SpecReference("bench", "int"))
            var sum: UInt32 = 0
            while !reader.isAtEnd { sum &+= try reader.readUInt32(.big, field: "value") }
            blackHole(sum)
        }
    }
}
