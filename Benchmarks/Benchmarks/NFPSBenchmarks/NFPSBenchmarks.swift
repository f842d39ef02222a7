import Benchmark
import Foundation
import NFPSCore
import NIOConcurrencyHelpers
import NIOCore

/// MS-NFPS: a 1 GiB raw package from `winterop nfps send` to `winterop nfps receive`
/// (two processes, as between two devices; build `winterop` in release first) over loopback,
/// with the package's SHA-256 on both sides and without (`--no-sha256`),
/// beside its floors measured in the same run (``Floors``: OpenSSL's AES-128-CBC and
/// SHA-256, the cryptography bound on this machine's cores, a plain loopback TCP copy),
/// and the stream cipher alone per call size. Run from Benchmarks/:
///
///     swift package --allow-writing-to-package-directory benchmark --target NFPSBenchmarks
///
/// `NFPS_BENCH_MIB` changes the package size (default 1024), `WINTEROP` the binary.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        maxDuration: .seconds(3),
        maxIterations: 100_000
    )
    let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)
    let percentOfAES = BenchmarkMetric.custom("% of openssl aes-128-cbc", polarity: .prefersLarger, useScalingFactor: false)
    let percentOfBound = BenchmarkMetric.custom("% of cryptography bound", polarity: .prefersLarger, useScalingFactor: false)
    let percentOfTCP = BenchmarkMetric.custom("% of loopback TCP copy", polarity: .prefersLarger, useScalingFactor: false)
    let senderPeak = BenchmarkMetric.custom("sender peak RSS (MiB)", useScalingFactor: false)
    let receiverPeak = BenchmarkMetric.custom("receiver peak RSS (MiB)", useScalingFactor: false)
    let senderCPU = BenchmarkMetric.custom("sender CPU (ms)", useScalingFactor: false)
    let receiverCPU = BenchmarkMetric.custom("receiver CPU (ms)", useScalingFactor: false)
    let senderShare = BenchmarkMetric.custom("% of sender CPU in openssl-speed crypto", polarity: .prefersLarger, useScalingFactor: false)
    let receiverShare = BenchmarkMetric.custom("% of receiver CPU in openssl-speed crypto", polarity: .prefersLarger, useScalingFactor: false)

    let cpuImplied = BenchmarkMetric.custom("% of openssl aes-128-cbc implied by CPU time on an idle 2-core machine", polarity: .prefersLarger, useScalingFactor: false)

    let mebibytes = ProcessInfo.processInfo.environment["NFPS_BENCH_MIB"].flatMap(Int.init) ?? 1024
    // With the package's SHA-256 on both sides (the default), and without (`--no-sha256`).
    for digest in [true, false] {
        let prepared = NIOLockedValueBox<(package: String, folder: String, floors: Floors)?>(nil)
        Benchmark(
            "nfps send → receive, \(mebibytes) MiB raw package over loopback\(digest ? "" : ", --no-sha256")",
            configuration: .init(
                metrics: [.wallClock, megabytesPerSecond, percentOfAES, percentOfBound, percentOfTCP, cpuImplied,
                          senderPeak, receiverPeak, senderCPU, receiverCPU, senderShare, receiverShare],
                timeUnits: .milliseconds, warmupIterations: 1, maxDuration: .seconds(60), maxIterations: 5,
                setup: {
                    let (package, folder) = try Transfer.makePackage(mebibytes: mebibytes)
                    let floors = try Floors.measure(file: package, scratch: (folder as NSString).appendingPathComponent("copy.bin"), digest: digest)
                    print("\(Transfer.load()); \(floors)")
                    prepared.withLockedValue { $0 = (package, folder, floors) }
                },
                teardown: {
                    if let folder = prepared.withLockedValue({ $0?.folder }) { try? FileManager.default.removeItem(atPath: folder) }
                }
            )
        ) { benchmark in
            guard let (package, folder, floors) = prepared.withLockedValue({ $0 }) else { throw BenchmarkFailure("no package") }
            let inbox = (folder as NSString).appendingPathComponent("inbox")
            for _ in benchmark.scaledIterations {
                benchmark.startMeasurement()
                let figure = try Transfer.run(package: package, inbox: inbox, digest: digest)
                benchmark.stopMeasurement()
                try Transfer.verify(package: package, inbox: inbox)
                let rate = Double(figure.bytes) / figure.seconds / 1e6
                benchmark.measurement(megabytesPerSecond, Int(rate.rounded()))
                benchmark.measurement(percentOfAES, Int((100 * rate / floors.aesEncrypt).rounded()))
                benchmark.measurement(percentOfBound, Int((100 * rate / floors.cryptographyBound).rounded()))
                benchmark.measurement(percentOfTCP, Int((100 * rate / floors.tcpCopy).rounded()))
                print("\(Transfer.load()): transfer \(Int(rate)) MB/s: \(String(format: "%.2f", rate / floors.aesEncrypt))× openssl aes-128-cbc, "
                    + "\(String(format: "%.2f", rate / floors.cryptographyBound))× the cryptography bound, "
                    + "\(String(format: "%.2f", rate / floors.tcpCopy))× loopback TCP copy; "
                    + "peak RSS sender \(figure.senderPeakMiB) MiB, receiver \(figure.receiverPeakMiB) MiB")
                benchmark.measurement(senderPeak, figure.senderPeakMiB)
                benchmark.measurement(receiverPeak, figure.receiverPeakMiB)
                // CPU time does not depend on what else the machine runs: the share of it that
                // the cryptography would take at OpenSSL's speed is what the rest costs.
                let senderFloor = floors.senderCryptography(bytes: figure.bytes), receiverFloor = floors.receiverCryptography(bytes: figure.bytes)
                benchmark.measurement(senderCPU, Int((figure.senderCPUSeconds * 1000).rounded()))
                benchmark.measurement(receiverCPU, Int((figure.receiverCPUSeconds * 1000).rounded()))
                benchmark.measurement(senderShare, Int((100 * senderFloor / figure.senderCPUSeconds).rounded()))
                benchmark.measurement(receiverShare, Int((100 * receiverFloor / figure.receiverCPUSeconds).rounded()))
                let implied = floors.idleTwoCoreRate(bytes: figure.bytes, senderCPU: figure.senderCPUSeconds, receiverCPU: figure.receiverCPUSeconds)
                benchmark.measurement(cpuImplied, Int((100 * implied / floors.aesEncrypt).rounded()))
                let perGiB = Double(1 << 30) / Double(figure.bytes)
                print("  CPU per GiB: sender \(String(format: "%.2f", figure.senderCPUSeconds * perGiB)) s (its \(floors.senderWork) at openssl speed: "
                    + "\(String(format: "%.2f", senderFloor * perGiB)) s), receiver \(String(format: "%.2f", figure.receiverCPUSeconds * perGiB)) s "
                    + "(\(floors.receiverWork): \(String(format: "%.2f", receiverFloor * perGiB)) s); on an idle 2-core machine that is at most "
                    + "\(Int(implied)) MB/s, \(String(format: "%.2f", implied / floors.aesEncrypt))× openssl aes-128-cbc")
            }
        }
    }

    // The stream cipher alone (OpenSSL EVP through CWinteropNFPSCipher), per call size.
    let key = ShareCipher.symmetricKey(sharedSecretKey: [1, 2, 3, 4])
    let iv = [UInt8](repeating: 9, count: 16)
    for size in [16 << 10, 64 << 10, 1 << 20] {
        let plain = ByteBuffer(repeating: 0x5A, count: size)
        for direction in [ShareCipher.Direction.encrypt, .decrypt] {
            Benchmark("\(direction == .encrypt ? "encrypt" : "decrypt"), \(size >> 10) KiB per call", configuration: .init(
                metrics: [.wallClock, megabytesPerSecond, .mallocCountTotal]
            )) { benchmark in
                var cipher = try ShareCipher(direction: direction, key: key, iv: iv)
                var out = ByteBuffer()
                out.reserveCapacity(size)
                let start = DispatchTime.now().uptimeNanoseconds
                for _ in benchmark.scaledIterations {
                    out.clear()
                    try cipher.process(plain, into: &out)
                    blackHole(out.readableBytes)
                }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                benchmark.measurement(megabytesPerSecond, Int((Double(size * benchmark.scaledIterations.count) / seconds / 1e6).rounded()))
            }
        }
    }
}
