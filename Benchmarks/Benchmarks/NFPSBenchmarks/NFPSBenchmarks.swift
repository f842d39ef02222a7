import Benchmark
import NFPSCore
import NIOCore

/// The MS-NFPS stream cipher (AES-128-CBC, one chain) per call size, for the per-call
/// overhead of swift-crypto's `AES._CBC` (key schedule and copies on every call).
/// The floor is `openssl speed -evp aes-128-cbc -bytes 16384`, which
/// `Benchmarks/nfps-loopback.sh` measures in the same run as the end-to-end transfer;
/// `winterop nfps bench` prints the same per-size figures without the harness.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        maxDuration: .seconds(3),
        maxIterations: 100_000
    )
    let key = ShareCipher.symmetricKey(sharedSecretKey: [1, 2, 3, 4])
    let iv = [UInt8](repeating: 9, count: 16)

    for size in [16 << 10, 64 << 10, 1 << 20] {
        let plain = ByteBuffer(repeating: 0x5A, count: size)
        Benchmark("encrypt, \(size >> 10) KiB per call") { benchmark in
            var cipher = try ShareCipher(direction: .encrypt, key: key, iv: iv)
            var out = ByteBuffer()
            out.reserveCapacity(size)
            for _ in benchmark.scaledIterations {
                out.clear()
                try cipher.process(plain, into: &out)
                blackHole(out.readableBytes)
            }
        }
        Benchmark("decrypt, \(size >> 10) KiB per call") { benchmark in
            var cipher = try ShareCipher(direction: .decrypt, key: key, iv: iv)
            var out = ByteBuffer()
            out.reserveCapacity(size)
            for _ in benchmark.scaledIterations {
                out.clear()
                try cipher.process(plain, into: &out)
                blackHole(out.readableBytes)
            }
        }
    }
}
