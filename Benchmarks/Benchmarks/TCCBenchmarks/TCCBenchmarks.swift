import Benchmark
import Crypto
import CryptoExtras
import NIOCore
import NIOPosix
import TCCCore
import TCCRoles
import WinteropTransport

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

    roundTripBenchmarks()
}

/// One whole request over loopback TCP between an in-process `TCCServer` and `TCCClient`
/// (connect, BringUpStartRequest, BringUpSuccessResponse, close), beside a bare TCP
/// connect and close to the same listener, measured in the same run.
let roundTripBenchmarks: @Sendable () -> Void = {
    let group = MultiThreadedEventLoopGroup.singleton
    let quiet = EventLog(json: true) { _ in }
    let provider = try! TetheringProviderSpec.parse("static:ssid=Sample SSID,passphrase=secret123,display-name=Bob's phone", environment: [:])
    let server = TCCServer(
        configuration: TCCServerConfiguration(transport: .tcp(HostPort(host: "127.0.0.1", port: 0)), provider: provider, machine: .init()),
        events: quiet, eventLoopGroup: group)

    Benchmark("tcc request round trip over loopback TCP", configuration: .init(metrics: [.wallClock], maxDuration: .seconds(3), maxIterations: 2_000)) { benchmark in
        let port = try await server.bind()?.port ?? 0
        var options = TCCClientOptions()
        options.transport = "tcp:127.0.0.1:\(port)"
        let configuration = try TCCClientConfiguration(validating: options)
        for _ in benchmark.scaledIterations {
            let outcome = try await TCCClient(configuration: configuration, events: quiet, eventLoopGroup: group).run()
            precondition(outcome.succeeded)
        }
    }

    Benchmark("floor: bare TCP connect + close to the same listener", configuration: .init(metrics: [.wallClock], maxDuration: .seconds(3), maxIterations: 2_000)) { benchmark in
        let port = try await server.bind()?.port ?? 0
        for _ in benchmark.scaledIterations {
            let channel = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get()
            try await channel.close()
        }
    }
}
