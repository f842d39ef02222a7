import Foundation
import NIOCore
import NIOConcurrencyHelpers
import Testing
import WinteropTestSupport

/// `winterop mice sink` ⇄ `winterop mice source` as separate processes on 127.0.0.1.
@Suite(.serialized) struct ProcessTests {
    static func sink(_ extra: [String]) async throws -> (WinteropProcess, Int) {
        let sink = try WinteropProcess(["mice", "sink", "--listen", "127.0.0.1:0", "--json", "--no-advertise", "--container-id", "5F1C2A9E-3B7D-4C8E-9A6F-0D2E4B8C1A3F",
                                         "--rtp-port", "0", "--player", "none"] + extra)
        guard let port = await sink.port() else {
            sink.terminate()
            throw ProcessTestError("the sink reported no listening port; stderr: \(sink.stderr)")
        }
        return (sink, port)
    }

    /// The WFD session's events (DESIGN.md, Projection), which interleave with the MICE ones.
    static let projectionEvents: Set = ["wfd_negotiated", "stream_started", "stream_stats", "stream_ended", "idr_requested"]

    /// A process's events without the WFD session's: the MS-MICE sequence.
    static func miceEvents(_ process: WinteropProcess) -> [String] {
        process.events().filter { !projectionEvents.contains($0) }
    }

    struct ProcessTestError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    @Test func plainProjectionBetweenProcesses() async throws {
        let (sink, port) = try await Self.sink(["--pin", "off", "--encryption", "off"])
        defer { sink.terminate() }
        let source = try WinteropProcess([
            "mice", "source", "--sink", "127.0.0.1:\(port)", "--pin", "off", "--encryption", "off",
            "--rtsp-listen", "127.0.0.1:0", "--stop-after", "0.2", "--json",
        ])
        defer { source.terminate() }
        let status = await source.waitForExit()
        #expect(status == 0, "source stderr: \(source.stderr)")
        #expect(ProcessTests.miceEvents(source).starts(with: ["listening", "connected", "source_ready", "rtsp_connected"]))
        #expect((source.event("closed")?["reason"] as? String) == "local_disconnect")
        await sink.wait(for: "closed")
        #expect(ProcessTests.miceEvents(sink) == ["listening", "connected", "source_ready", "rtsp_connected", "stop_projection", "closed"])
        // Ctrl-C stops the sink cleanly.
        sink.interrupt()
        #expect(await sink.waitForExit() == 0)
    }

    static func source(port: Int, _ extra: [String]) throws -> WinteropProcess {
        try WinteropProcess([
            "mice", "source", "--sink", "127.0.0.1:\(port)", "--bind", "127.0.0.2",
            "--rtsp-listen", "127.0.0.2:0", "--stop-after", "0.2", "--json",
        ] + extra)
    }

    @Test func dtlsWithoutPIN() async throws {
        let (sink, port) = try await Self.sink(["--pin", "off"])
        defer { sink.terminate() }
        let source = try Self.source(port: port, ["--pin", "off"])
        defer { source.terminate() }
        #expect(await source.waitForExit() == 0, "source stderr: \(source.stderr)")
        #expect(ProcessTests.miceEvents(source) == ["listening", "connected", "dtls_complete", "source_ready", "rtsp_connected", "closed"])
        #expect((source.event("dtls_complete")?["protocol"] as? String) == "DTLSv1.2")
        await sink.wait(for: "closed")
        #expect(ProcessTests.miceEvents(sink) == ["listening", "connected", "dtls_complete", "source_ready", "rtsp_connected", "stop_projection", "closed"])
        #expect((sink.event("dtls_complete")?["cipher"] as? String)?.isEmpty == false)
    }

    @Test func pinWithDTLSFromADifferentAddress() async throws {
        let (sink, port) = try await Self.sink(["--pin", "13572468"])
        defer { sink.terminate() }
        let source = try Self.source(port: port, ["--pin", "13572468"])
        defer { source.terminate() }
        #expect(await source.waitForExit() == 0, "source stderr: \(source.stderr)")
        #expect(ProcessTests.miceEvents(source) == ["listening", "connected", "session_request", "dtls_complete", "pin_result", "source_ready", "rtsp_connected", "closed"])
        #expect((source.event("connected")?["local"] as? String)?.hasPrefix("127.0.0.2:") == true)
        await sink.wait(for: "closed")
        #expect(ProcessTests.miceEvents(sink) == ["listening", "connected", "session_request", "pin_displayed", "dtls_complete", "pin_result", "source_ready", "rtsp_connected", "stop_projection", "closed"])
        #expect((sink.event("pin_result")?["accepted"] as? Bool) == true)
        #expect((sink.event("rtsp_connected")?["host"] as? String) == "127.0.0.2")
    }

    @Test func randomPINTypedAtThePrompt() async throws {
        let (sink, port) = try await Self.sink([])
        defer { sink.terminate() }
        let source = try Self.source(port: port, [])
        defer { source.terminate() }
        guard let pin = (await sink.wait(for: "pin_displayed"))?["pin"] as? String else {
            Issue.record("the sink showed no PIN; sink stderr: \(sink.stderr)")
            return
        }
        #expect(pin.count == 8 && pin.allSatisfy(\.isNumber))
        source.write(pin + "\n")
        #expect(await source.waitForExit() == 0, "source stderr: \(source.stderr)")
        #expect(source.stderr.contains("Enter the PIN"))
        #expect((await sink.wait(for: "rtsp_connected")) != nil)
    }

    @Test func randomPINShownAtStartAndReplacedAfterUse() async throws {
        let (sink, port) = try await Self.sink([])
        defer { sink.terminate() }
        guard let first = (await sink.wait(for: "pin_displayed"))?["pin"] as? String else {
            Issue.record("no PIN at start")
            return
        }
        let wrong = try Self.source(port: port, ["--pin", first == "00000000" ? "11111111" : "00000000"])
        #expect(await wrong.waitForExit() == 1)
        // The used PIN is replaced by a new one, shown again.
        var second: String?
        for _ in 0..<200 {
            let pins = sink.lines.compactMap { line -> String? in
                guard line.contains(#""event":"pin_displayed""#) else { return nil }
                return (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["pin"] as? String
            }
            if let last = pins.last, last != first { second = last; break }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard let second else {
            Issue.record("the PIN was not replaced after a wrong attempt")
            return
        }
        let right = try Self.source(port: port, ["--pin", second])
        #expect(await right.waitForExit() == 0, "source stderr: \(right.stderr)")
        #expect((right.event("pin_result")?["accepted"] as? Bool) == true)
    }

    @Test func wrongPINIsRefused() async throws {
        let (sink, port) = try await Self.sink(["--pin", "13572468"])
        defer { sink.terminate() }
        let source = try Self.source(port: port, ["--pin", "86427531"])
        defer { source.terminate() }
        #expect(await source.waitForExit() == 1)
        #expect((source.event("closed")?["reason"] as? String) == "wrong_pin")
        #expect((source.event("pin_result")?["accepted"] as? Bool) == false)
        #expect(source.event("rtsp_connected") == nil)
        let result = await sink.wait(for: "pin_result")
        #expect((result?["accepted"] as? Bool) == false)
        #expect(sink.event("rtsp_connected") == nil)
    }

    @Test func vendorExtensionWithIPAddressSkipsResolution() async throws {
        let (sink, port) = try await Self.sink(["--pin", "13572468"])
        defer { sink.terminate() }
        let build = try WinteropProcess(["mice", "ie", "build", "--host-name", "no-such-sink-host", "--ip", "127.0.0.1", "--pin", "13572468"])
        #expect(await build.waitForExit() == 0)
        let ie = try #require(build.lines.first)
        let source = try WinteropProcess([
            "mice", "source", "--ie", ie, "--ie-port", "\(port)", "--pin", "13572468", "--bind", "127.0.0.2",
            "--rtsp-listen", "127.0.0.2:0", "--stop-after", "0.1", "--json",
        ])
        defer { source.terminate() }
        #expect(await source.waitForExit() == 0, "source stderr: \(source.stderr)")
        #expect(source.event("resolved") == nil)
        #expect(source.events().contains("pin_result"))
        // A host name with a period MUST NOT be used (2.2.8.2).
        let dotted = "1049001f000137200100012720020006612e73696e6b200500093132372e302e302e31"
        let refused = try WinteropProcess(["mice", "source", "--ie", dotted, "--json"])
        #expect(await refused.waitForExit() == 1)
        #expect((refused.event("closed")?["reason"] as? String) == "sink_unusable")
    }

    @Test func aLiveSinkProcessSurvivesBadInputAndRefusesASecondSource() async throws {
        let (sink, port) = try await Self.sink(["--pin", "off", "--encryption", "off"])
        defer { sink.terminate() }
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let inputs: [[UInt8]] = [
            [0x00, 0x01, 0xFF, 0xFF],                                // garbage: Size below the header
            [0x00, 0x08, 0x01, 0x03, 0x04, 0xFF, 0xFF, 0x00],        // oversized TLV Length
            [0x00, 0x08, 0x01, 0x07, 0x04, 0x00, 0x01, 0x00],        // unknown Command
            [0x00, 0x3D, 0x01, 0x01, 0x00, 0x00],                    // truncated, then EOF
        ]
        func count(_ name: String) -> Int { sink.events().filter { $0 == name }.count }
        func waitForCount(_ name: String, above before: Int) async -> Bool {
            await sink.wait(for: name, where: { _ in count(name) > before }) != nil
        }
        for input in inputs {
            let closedBefore = count("closed")
            let connection = try await RawConnection.connect(to: address)
            // The sink may close as soon as it has read a bad header: sending can race that.
            try? await connection.send(input)
            try await connection.finish()
            _ = try await connection.readUntilClosed()
            // The slot is free again once the sink has seen this connection end.
            #expect(await waitForCount("closed", above: closedBefore), "sink: \(sink.lines)")
        }
        #expect(sink.process.isRunning)
        // While one source is connected, a second is refused.
        let connectedBefore = count("connected")
        let first = try await RawConnection.connect(to: address)
        #expect(await waitForCount("connected", above: connectedBefore), "sink: \(sink.lines)")
        let second = try await RawConnection.connect(to: address)
        _ = try await second.readUntilClosed()
        #expect(await sink.wait(for: "rejected") != nil, "sink: \(sink.lines)")
        let closedBefore = count("closed")
        await first.close()
        // The slot is free once the sink has seen the first connection end.
        #expect(await waitForCount("closed", above: closedBefore), "sink: \(sink.lines)")
        let source = try Self.source(port: port, ["--pin", "off", "--encryption", "off"])
        defer { source.terminate() }
        #expect(await source.waitForExit() == 0, "source stderr: \(source.stderr)")
        let closedReasons = sink.lines.filter { $0.contains(#""event":"closed""#) }
        #expect(closedReasons.filter { $0.contains("malformed_message") }.count == 3, "sink: \(sink.lines)")
    }

    @Test func ctrlCOnTheSinkStopsTheProjection() async throws {
        let (sink, port) = try await Self.sink(["--pin", "13572468"])
        defer { sink.terminate() }
        let source = try WinteropProcess([
            "mice", "source", "--sink", "127.0.0.1:\(port)", "--bind", "127.0.0.2", "--pin", "13572468",
            "--rtsp-listen", "127.0.0.2:0", "--json",
        ])
        defer { source.terminate() }
        #expect(await source.wait(for: "rtsp_connected") != nil, "source stderr: \(source.stderr)")
        sink.interrupt()
        #expect(await sink.waitForExit() == 0)
        #expect((sink.event("closed")?["reason"] as? String) == "local_disconnect")
        // The source got the (encrypted) STOP_PROJECTION and ends normally.
        #expect(await source.waitForExit() == 0)
        #expect(source.event("stop_projection") != nil)
        #expect((source.event("closed")?["reason"] as? String) == "stop_projection")
    }

    @Test func sessionTimerExpiryEndsTheSourcesAttempt() async throws {
        let (sink, port) = try await Self.sink(["--pin", "off", "--encryption", "off", "--session-timeout", "0.3"])
        defer { sink.terminate() }
        // A source that connects and says nothing: the sink tears down after 0.3 s.
        let socket = try await RawConnection.connect(to: try .init(ipAddress: "127.0.0.1", port: port))
        _ = try await socket.readUntilClosed()
        let closed = await sink.wait(for: "closed")
        #expect((closed?["reason"] as? String) == "session_establishment_timeout")
    }

    @Test func sourceWithoutASinkExitsOne() async throws {
        let source = try WinteropProcess([
            "mice", "source", "--sink", "127.0.0.1:1", "--pin", "off", "--encryption", "off",
            "--rtsp-listen", "127.0.0.1:0", "--json",
        ])
        #expect(await source.waitForExit() == 1)
        #expect((source.event("closed")?["reason"] as? String) == "connection_failed")
    }

    @Test func decodeAndIECommands() async throws {
        let stop = "0038010200001e" + "440075006d006d00790031002d004b006100620079006c0061006b006500" + "030010" + "91f4abe9eff5464aaee269722aed11b5"
        let decode = try WinteropProcess(["decode", "mice", "--json", stop])
        #expect(await decode.waitForExit() == 0)
        #expect(decode.lines.first?.contains(#""message":"STOP_PROJECTION""#) == true, "\(decode.stderr)")
        let example41 = "1049001b000137200100010520020" + "00f44756d6d79312d4b6162796c616b65"
        let ie = try WinteropProcess(["decode", "mice-ie", "--json", example41])
        #expect(await ie.waitForExit() == 0)
        #expect(ie.lines.first?.contains(#""hostName":"Dummy1-Kabylake""#) == true)
        let build = try WinteropProcess(["mice", "ie", "build", "--host-name", "Dummy1-Kabylake", "--encryption", "off"])
        #expect(await build.waitForExit() == 0)
        #expect(build.lines.first == example41)
        let bad = try WinteropProcess(["decode", "mice", "00030101"])
        #expect(await bad.waitForExit() == 1)
        let period = try WinteropProcess(["mice", "ie", "build", "--host-name", "a.b"])
        #expect(await period.waitForExit() == 2)
    }
}
