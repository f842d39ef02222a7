import Foundation
import Testing
import WinteropTestSupport

/// `mice source --rate-mbps`: a file's datagrams at a constant rate instead of by its PCR.
@Suite struct SourcePacingProcessTests {
    /// 2000 TS packets (376 000 bytes) whose PCRs say 0.19 s take 3 s at 1 Mbit/s, and arrive whole.
    @Test func aConstantRateOverridesThePCR() async throws {
        let media = try ProjectionProcessTests.Media()
        defer { media.remove() }
        let (sink, port) = try await ProcessTests.sink(["--pin", "off", "--encryption", "off", "--record", media.recording])
        defer { sink.terminate() }
        let before = ContinuousClock.now
        let source = try WinteropProcess([
            "mice", "source", "--sink", "127.0.0.1:\(port)", "--pin", "off", "--encryption", "off", "--rtsp-listen", "127.0.0.1:0",
            "--media", media.input, "--rate-mbps", "1", "--json",
        ])
        defer { source.terminate() }
        #expect(await source.waitForExit(timeout: .seconds(60)) == 0, "source stderr: \(source.stderr)")
        let elapsed = ContinuousClock.now - before
        #expect(elapsed >= .seconds(Double(media.bytes.count - 7 * 188) * 8 / 1e6), "the stream took \(elapsed)")
        #expect(await sink.wait(for: "stream_ended") != nil, "sink: \(sink.lines)")
        let whole = media.recorded == media.bytes
        #expect(whole)
    }

    @Test(arguments: [["--rate-mbps", "0", "--media", "FILE"], ["--rate-mbps", "100"]])
    func aRateNeedsAFileAndAPositiveNumber(arguments: [String]) throws {
        let media = try ProjectionProcessTests.Media(bytes: [0x47])
        defer { media.remove() }
        let result = try WinteropProcess.run(["mice", "source", "--sink", "127.0.0.1:1", "--pin", "off", "--encryption", "off"]
            + arguments.map { $0 == "FILE" ? media.input : $0 })
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--rate-mbps"), "\(result.stderr)")
    }
}
