import Dispatch
import NFPSCore
import NIOCore

/// Throughput of the MS-NFPS stream cipher per call size, for `winterop nfps bench`.
/// Compare with `openssl speed -evp aes-128-cbc` in the same run (NFPSBenchmarks and
/// Benchmarks/nfps-loopback.sh do); build in release.
public enum NFPSMeasurements {
    public struct Figure: Sendable, CustomStringConvertible {
        public var name: String
        public var megabytesPerSecond: Double
        public var description: String {
            "\(name): \(Int(megabytesPerSecond.rounded())) MB/s"
        }
    }

    /// Encrypts then decrypts `total` bytes in calls of `chunkSize` bytes, one chain
    /// each way; the best of `rounds`.
    public static func cipher(chunkSize: Int, total: Int = 256 << 20, rounds: Int = 3) throws -> [Figure] {
        let key = ShareCipher.symmetricKey(sharedSecretKey: [1, 2, 3, 4])
        let iv = [UInt8](repeating: 9, count: NFPS.ivSize)
        let plain = ByteBuffer(repeating: 0x5A, count: chunkSize)
        var encryptBest = Double.infinity, decryptBest = Double.infinity
        var output = ByteBuffer()
        output.reserveCapacity(chunkSize + NFPS.blockSize)
        for _ in 0..<rounds {
            var encrypt = try ShareCipher(direction: .encrypt, key: key, iv: iv)
            var ciphertext = ByteBuffer()
            encryptBest = min(encryptBest, try seconds {
                for _ in 0..<(total / chunkSize) {
                    output.clear()
                    try encrypt.process(plain, into: &output)
                }
            })
            ciphertext = output
            var decrypt = try ShareCipher(direction: .decrypt, key: key, iv: iv)
            decryptBest = min(decryptBest, try seconds {
                for _ in 0..<(total / chunkSize) {
                    output.clear()
                    try decrypt.process(ciphertext, into: &output)
                }
            })
        }
        let megabytes = Double(total / chunkSize * chunkSize) / 1e6
        return [
            Figure(name: "encrypt, \(chunkSize >> 10) KiB calls", megabytesPerSecond: megabytes / encryptBest),
            Figure(name: "decrypt, \(chunkSize >> 10) KiB calls", megabytesPerSecond: megabytes / decryptBest),
        ]
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
