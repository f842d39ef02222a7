import Benchmark
import Foundation
import NIOPosix
import WDSMSIRoles

/// MS-WDSMSI: replies per second of `wds-server` (UDP, session reused, events discarded)
/// under a load generator keeping 64 requests in flight, beside a bare UDP echo measured
/// the same way in the same run. `winterop wds bench` prints the same figures as a ratio.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput],
        maxDuration: .seconds(10),
        maxIterations: 10
    )

    Benchmark("wds-server: 20000 UDP requests, 64 in flight") { benchmark in
        let (server, port, request, directory) = try await WDSMeasurements.startServer(group: MultiThreadedEventLoopGroup.singleton)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await WDSMeasurements.load(port: port, datagram: request, total: 20_000, window: 64, group: MultiThreadedEventLoopGroup.singleton))
        }
        benchmark.stopMeasurement()
        server.core.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    Benchmark("bare UDP echo floor: 20000 datagrams, 64 in flight") { benchmark in
        let (echo, port) = try await WDSMeasurements.startEcho(group: MultiThreadedEventLoopGroup.singleton)
        let request = try WDSMeasurements.requestPacket()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await WDSMeasurements.load(port: port, datagram: request, total: 20_000, window: 64, group: MultiThreadedEventLoopGroup.singleton))
        }
        benchmark.stopMeasurement()
        try await echo.close()
    }
}
