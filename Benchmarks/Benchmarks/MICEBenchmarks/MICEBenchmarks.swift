import Benchmark
import Foundation
import MICECore
import MICERoles
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import WinteropDTLS
import WinteropTransport

/// MS-MICE session setup on 127.0.0.1: from the source's TCP connect to the sink's
/// RTSP connect-back, plain and with DTLS + PIN (PIN supplied up front), with a bare
/// OpenSSL DTLS 1.2 handshake (same certificate) as the floor.
let benchmarks: @Sendable () -> Void = {
    let connectToRTSP = BenchmarkMetric.custom("connect → RTSP connect-back (µs)", useScalingFactor: false)
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, connectToRTSP],
        warmupIterations: 3,
        maxDuration: .seconds(60),
        maxIterations: 100
    )

    Benchmark("MICE plain: TCP connect → RTSP connect-back") { benchmark in
        let sink = try await Sinks.shared.address(pin: false)
        for _ in benchmark.scaledIterations {
            benchmark.measurement(connectToRTSP, try await Session.run(sink: sink, pin: nil))
        }
    }

    Benchmark("MICE DTLS+PIN: TCP connect → RTSP connect-back") { benchmark in
        let sink = try await Sinks.shared.address(pin: true)
        for _ in benchmark.scaledIterations {
            benchmark.measurement(connectToRTSP, try await Session.run(sink: sink, pin: Sinks.pin))
        }
    }

    // The projection (3.1.7.1, 3.2.5.7): connect on 7250 → the first RTP datagram the sink
    // delivers, after MICE, the connect-back and WFD M1–M7; floor: the connect-back alone.
    let connectToRTP = BenchmarkMetric.custom("connect → first RTP packet at the sink (µs)", useScalingFactor: false)
    let projection = Benchmark.Configuration(metrics: [.wallClock, connectToRTP], warmupIterations: 3, maxDuration: .seconds(60), maxIterations: 50)

    Benchmark("MICE plain: TCP connect → first RTP packet at the sink", configuration: projection) { benchmark in
        let sink = try await Sinks.shared.address(pin: false)
        for _ in benchmark.scaledIterations {
            benchmark.measurement(connectToRTP, try await Session.run(sink: sink, pin: nil, media: Media.file))
        }
    }

    Benchmark("MICE DTLS+PIN: TCP connect → first RTP packet at the sink", configuration: projection) { benchmark in
        let sink = try await Sinks.shared.address(pin: true)
        for _ in benchmark.scaledIterations {
            benchmark.measurement(connectToRTP, try await Session.run(sink: sink, pin: Sinks.pin, media: Media.file))
        }
    }

    Benchmark("bare OpenSSL DTLS 1.2 handshake (floor)", configuration: .init(metrics: [.wallClock], maxIterations: 100)) { benchmark in
        let certificate = try Sinks.shared.certificate()
        for _ in benchmark.scaledIterations {
            try bareOpenSSLDTLSHandshake(certificate: certificate)
        }
    }
}

/// Two sinks kept for all iterations: one plain, one with DTLS and a fixed PIN.
final class Sinks: Sendable {
    static let shared = Sinks()
    static let pin = "12345678"
    private let state = NIOLockedValueBox<(plain: SocketAddress?, secure: SocketAddress?, certificate: DTLSCertificate?)>((nil, nil, nil))

    func certificate() throws -> DTLSCertificate {
        if let certificate = state.withLockedValue({ $0.certificate }) { return certificate }
        let certificate = try DTLSCertificate.selfSigned(commonName: "winterop")
        state.withLockedValue { $0.certificate = certificate }
        return certificate
    }

    func address(pin: Bool) async throws -> SocketAddress {
        if let address = state.withLockedValue({ pin ? $0.secure : $0.plain }) { return address }
        var configuration = MICESinkConfiguration(
            listen: HostPort(host: "127.0.0.1", port: 0), friendlyName: "bench",
            pinMode: pin ? .fixed(Self.pin) : .off, streamEncryption: pin,
            dtls: pin ? OpenSSLDTLSFactory(certificate: try certificate()) : nil
        )
        // Every iteration enters the right PIN: the global guessing rate would measure itself.
        configuration.pinAttemptPolicy.globalBurst = 1_000_000
        let server = MICESinkServer(
            configuration: configuration,
            events: EventLog(json: true) { line in
                // The first datagram the sink delivers is reported at once (stream_stats).
                if line.hasPrefix(#"{"event":"stream_stats""#) { Media.firstRTP.withLockedValue { $0 = $0 ?? ContinuousClock.now } }
                if line.hasPrefix(#"{"event":"closed""#) { Media.sinkSessionsClosed.withLockedValue { $0 += 1 } }
            }, eventLoopGroup: MultiThreadedEventLoopGroup.singleton
        )
        let address = try await server.bind()
        state.withLockedValue { if pin { $0.secure = address } else { $0.plain = address } }
        return address
    }
}

/// A short transport stream (10 RTP datagrams, one PCR) for the projection benchmarks, and
/// when the sink delivered the current session's first RTP packet.
enum Media {
    static let firstRTP = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
    /// Sessions the sinks have closed: the next iteration waits for its predecessor's, as
    /// a sink holds one source at a time (3.1.5.2).
    static let sinkSessionsClosed = NIOLockedValueBox(0)
    static let file: String = {
        var bytes: [UInt8] = [0x47, 0x41, 0x00, 0x30, 7, 0x10, 0, 0, 0, 0, 0x7E, 0] + Array(repeating: 0xFF, count: 176)
        for i in 1..<70 { bytes += [0x47, 0x01, 0x00, 0x10 | UInt8(i & 0x0F)] + Array(repeating: 0xAA, count: 184) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mice-bench-\(getpid()).ts").path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }()
}

/// One source session; returns microseconds from the `connected` event to `rtsp_connected`,
/// or with `media` to the sink's first RTP packet.
enum Session {
    static func run(sink: SocketAddress, pin: String?, media: String? = nil) async throws -> Int {
        Media.firstRTP.withLockedValue { $0 = nil }
        let closedBefore = Media.sinkSessionsClosed.withLockedValue { $0 }
        defer {
            let deadline = ContinuousClock.now + .seconds(3)
            while Media.sinkSessionsClosed.withLockedValue({ $0 }) == closedBefore, ContinuousClock.now < deadline { usleep(1000) }
        }
        let times = NIOLockedValueBox<(connected: ContinuousClock.Instant?, rtsp: ContinuousClock.Instant?)>((nil, nil))
        let events = EventLog(json: true) { line in
            let now = ContinuousClock.now
            if line.hasPrefix(#"{"event":"connected""#) { times.withLockedValue { $0.connected = now } }
            if line.hasPrefix(#"{"event":"rtsp_connected""#) { times.withLockedValue { $0.rtsp = now } }
        }
        var configuration = MICESourceConfiguration(
            sinkHost: "127.0.0.1", sinkPort: sink.port ?? 0,
            sinkCapability: MICECapability(streamEncryption: pin != nil, pin: pin != nil),
            encryption: pin == nil ? .off : .on, wantPIN: pin != nil, pin: pin, friendlyName: "bench",
            rtspListen: HostPort(host: "127.0.0.1", port: 0), stopAfter: media == nil ? .zero : nil,
            dtls: pin == nil ? nil : OpenSSLDTLSFactory(certificate: nil)
        )
        if let media {
            configuration.projection = MICESourceProjection(media: .file(media))
            configuration.projection.endGrace = .milliseconds(20)
        }
        let reason = try await MICESource(
            configuration: configuration, events: events, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, pinProvider: { nil }
        ).run()
        let (connected, rtsp) = times.withLockedValue { ($0.connected, $0.rtsp) }
        let end = media == nil ? rtsp : Media.firstRTP.withLockedValue { $0 }
        guard reason == .localDisconnect, let connected, let end else {
            throw BenchmarkFailure(description: "the session ended with \(reason)")
        }
        let elapsed = end - connected
        return Int(elapsed.components.seconds) * 1_000_000 + Int(elapsed.components.attoseconds / 1_000_000_000_000)
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
}
