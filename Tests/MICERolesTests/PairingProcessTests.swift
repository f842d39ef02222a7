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

/// PIN guessing across reconnects: after three wrong PINs from one address its next
/// attempt waits (pin_throttled), and the right PIN then still gets through.
@Suite struct PINThrottlingProcessTests {
    @Test func wrongPINsFromOneAddressAreSlowedDown() async throws {
        // A 4 s backoff: the fourth source reaches its PIN_CHALLENGE well within it even
        // on a loaded machine.
        let (sink, port) = try await ProcessTests.sink(["--pin", "13572468", "--pin-backoff", "4"])
        defer { sink.terminate() }
        let clock = ContinuousClock()
        var start = clock.now
        for _ in 0..<3 {
            // The backoff runs from the third wrong attempt, which the sink sees after this.
            start = clock.now
            let guess = try ProcessTests.source(port: port, ["--pin", "86427531"])
            #expect(await guess.waitForExit() == 1)
        }
        #expect(sink.events().filter { $0 == "pin_result" }.count == 3)
        #expect(!sink.events().contains("pin_throttled"))
        // The sink holds the PIN_CHALLENGE for the backoff: this source waits it out.
        let right = try ProcessTests.source(port: port, ["--pin", "13572468", "--handshake-timeout", "30"])
        #expect(await right.waitForExit() == 0, "source stderr: \(right.stderr)")
        #expect(clock.now - start >= .seconds(4))
        let throttled = await sink.wait(for: "pin_throttled")
        #expect(throttled?["limit"] as? String == "address")
        // The 4 s backoff, less the time the fourth source took to reach its PIN_CHALLENGE.
        #expect((throttled?["waitMs"] as? Int).map { $0 > 0 && $0 <= 4000 } == true, "\(String(describing: throttled))")
        #expect(right.events().contains("rtsp_connected"))
    }
}

/// One JSON shape per event across the two roles (`rtsp_connected`, `pin_result`, `closed`).
@Suite struct EventShapeTests {
    @Test func sinkAndSourceReportTheSameFields() async throws {
        let (sink, port) = try await ProcessTests.sink(["--pin", "13572468"])
        defer { sink.terminate() }
        let source = try ProcessTests.source(port: port, ["--pin", "13572468"])
        defer { source.terminate() }
        #expect(await source.waitForExit() == 0, "\(source.stderr)")
        await sink.wait(for: "closed")
        for name in ["rtsp_connected", "pin_result", "closed"] {
            let sinkKeys = Set(sink.event(name)?.keys.map { $0 } ?? [])
            let sourceKeys = Set(source.event(name)?.keys.map { $0 } ?? [])
            #expect(!sinkKeys.isEmpty)
            // The sink's pin_result also counts wrong attempts on its connection.
            #expect(sourceKeys == sinkKeys.subtracting(["wrongAttempts"]), "\(name): sink \(sinkKeys), source \(sourceKeys)")
        }
        #expect(sink.event("pin_result")?["reason"] as? String == "accepted")
        #expect(source.event("pin_result")?["reason"] as? String == "accepted")
    }
}
