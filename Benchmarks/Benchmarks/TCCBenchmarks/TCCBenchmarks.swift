import Benchmark
import Crypto
import CryptoExtras
import NIOCore
import TCCCore

/// MS-TCC costs: decoding and encoding the 4.1.2 BringUpSuccessResponse against copying
/// its bytes, and sealing/opening the revision-10 unpaired response against the bare
/// primitives it is built from (one AES-256-CBC encryption and one HMAC-SHA-256 of the
/// same bytes), measured in the same run.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )

    let settings = BringUpSuccessResponse(
        ssid: Ssid("Sample SSID")!, bssid: Bssid("01:02:03:04:05:06"), passphrase: Passphrase("secret123")!, displayName: "Bob's phone")
    let wire = (try? settings.encoded()) ?? []

    Benchmark("BringUpSuccessResponse decode (\(wire.count) bytes)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try TCCMessage.decode(bytes: wire))
        }
    }

    Benchmark("BringUpSuccessResponse encode (\(wire.count) bytes)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try settings.encoded())
        }
    }

    Benchmark("memcpy floor, same \(wire.count) bytes") { benchmark in
        var destination = [UInt8](repeating: 0, count: wire.count)
        for _ in benchmark.scaledIterations {
            destination.withUnsafeMutableBytes { out in wire.withUnsafeBytes { out.copyMemory(from: $0) } }
            blackHole(destination)
        }
    }

    let keys = UnpairedKeys(k1: Array(repeating: 1, count: 32), k2: Array(repeating: 2, count: 32), k3: Array(repeating: 3, count: 32))!
    let iv = [UInt8](repeating: 7, count: 16)
    let timestamp = FileTime(133_583_040_000_000_000)
    let sealed = try! UnpairedCrypto.seal(settings, clientTimestamp: timestamp, iv: iv, keys: keys)

    Benchmark("Unpaired seal (encode + AES-256-CBC + HMAC-SHA-256)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try UnpairedCrypto.seal(settings, clientTimestamp: timestamp, iv: iv, keys: keys))
        }
    }

    Benchmark("Unpaired open (HMAC check + AES-256-CBC + decode)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try UnpairedCrypto.open(sealed, clientTimestamp: timestamp, keys: keys))
        }
    }

    Benchmark("Crypto floor: AES-256-CBC of \(wire.count) bytes + HMAC-SHA-256 of the result") { benchmark in
        let cbcIV = try AES._CBC.IV(ivBytes: iv)
        for _ in benchmark.scaledIterations {
            let ciphertext = try AES._CBC.encrypt(wire, using: keys.k2, iv: cbcIV)
            blackHole(HMAC<SHA256>.authenticationCode(for: ciphertext, using: keys.k3))
        }
    }

    Benchmark("Request HMAC verify (constant time)") { benchmark in
        let request = UnpairedCrypto.authenticatedRequest(now: timestamp, keys: keys)
        for _ in benchmark.scaledIterations {
            blackHole(UnpairedCrypto.isValid(request.authentication!, keys: keys))
        }
    }
}
