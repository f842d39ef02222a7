import Benchmark
import WinteropDTLS

/// MS-MICE's DTLS tunnel: a whole handshake through `DTLSEndpoint` (one record per
/// payload, as SECURITY_HANDSHAKE messages carry them) against the same handshake done
/// by two OpenSSL SSL objects in C alone (the floor), and seal+open of one record.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal],
        maxDuration: .seconds(3),
        maxIterations: 100_000
    )
    guard let certificate = try? DTLSCertificate.selfSigned(commonName: "winterop benchmark") else {
        fatalError("cannot generate the benchmark certificate")
    }

    Benchmark("DTLS 1.2 handshake through DTLSEndpoint (one record per payload)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try handshake(certificate))
        }
    }

    Benchmark("DTLS 1.2 handshake, bare OpenSSL in C (floor)") { benchmark in
        for _ in benchmark.scaledIterations {
            try bareOpenSSLDTLSHandshake(certificate: certificate)
        }
    }

    for size in [1024, 16384] {
        Benchmark("seal + open one \(size / 1024) KiB record") { benchmark in
            let (client, server) = try handshake(certificate)
            let plaintext = [UInt8](repeating: 0x5A, count: size)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try server.open(client.seal(plaintext)))
            }
        }
    }
}

/// A complete in-memory handshake, each record in its own payload.
func handshake(_ certificate: DTLSCertificate) throws -> (DTLSEndpoint, DTLSEndpoint) {
    let client = try DTLSEndpoint(DTLSConfiguration(role: .client))
    let server = try DTLSEndpoint(DTLSConfiguration(role: .server, certificate: certificate))
    var toServer = try client.start().send
    var rounds = 0
    while !(client.isHandshakeComplete && server.isHandshakeComplete) {
        rounds += 1
        if rounds > 8 { throw DTLSError(.handshakeFailed, "the benchmark handshake did not converge") }
        var toClient: [[UInt8]] = []
        for record in toServer { toClient += try server.receiveHandshake(record).send }
        toServer = []
        for record in toClient { toServer += try client.receiveHandshake(record).send }
    }
    return (client, server)
}
