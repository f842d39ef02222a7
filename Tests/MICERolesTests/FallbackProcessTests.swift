import Foundation
import Testing
import WinteropTestSupport

/// A source without discovery data assumes PIN and DTLS; against a sink with neither
/// it says what to retry, or retries the plain flow with `--fallback-plain`.
@Suite struct FallbackProcessTests {
    @Test func theErrorSaysWhatToRetry() async throws {
        let (sink, port) = try await ProcessTests.sink(["--encryption", "off", "--pin", "off"])
        defer { sink.terminate() }
        let source = try ProcessTests.source(port: port, ["--pin", "12345678"])
        defer { source.terminate() }
        #expect(await source.waitForExit() == 1)
        #expect(source.stderr.contains("--encryption off --pin off"), "\(source.stderr)")
        #expect(!source.events().contains("fallback"))
    }

    @Test func fallbackPlainProjectsWithThePlainFlow() async throws {
        let (sink, port) = try await ProcessTests.sink(["--encryption", "off", "--pin", "off"])
        defer { sink.terminate() }
        let source = try ProcessTests.source(port: port, ["--pin", "12345678", "--fallback-plain"])
        defer { source.terminate() }
        #expect(await source.waitForExit() == 0, "\(source.stderr)")
        let events = source.events()
        #expect(events.contains("fallback"))
        #expect(events.last == "closed")
        #expect(events.contains("rtsp_connected"), "\(events)")
    }
}
