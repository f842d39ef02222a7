import Foundation
import Testing
import WinteropTestSupport

/// Between processes: a sink with a PIN refuses a source that skips pairing, unless it
/// was started with `--allow-unpaired`.
@Suite struct PairingProcessTests {
    @Test func aSourceThatSkipsThePINGetsNoConnectBack() async throws {
        let (sink, port) = try await ProcessTests.sink(["--pin", "13572468"])
        defer { sink.terminate() }
        let source = try ProcessTests.source(port: port, ["--pin", "off", "--encryption", "off", "--control-timeout", "2"])
        defer { source.terminate() }
        #expect(await source.waitForExit() == 1, "source stderr: \(source.stderr)")
        await sink.wait(for: "closed")
        #expect(!sink.events().contains("rtsp_connected"))
        #expect((sink.event("closed")?["reason"] as? String) == "unpaired_source", "\(sink.lines)")
    }

    @Test func allowUnpairedLetsItProject() async throws {
        let (sink, port) = try await ProcessTests.sink(["--pin", "13572468", "--allow-unpaired"])
        defer { sink.terminate() }
        let source = try ProcessTests.source(port: port, ["--pin", "off", "--encryption", "off"])
        defer { source.terminate() }
        #expect(await source.waitForExit() == 0, "source stderr: \(source.stderr)")
        await sink.wait(for: "closed")
        #expect(sink.events().contains("rtsp_connected"))
    }
}
