import Foundation
import NIOCore
import Testing
import WinteropTestSupport

/// Loss and reordering between real `winterop mice source` and `winterop mice sink`
/// processes (WFD-NOTES 5, 7.5): the sink advertises a relay's port (`--rtp-advertise-port`),
/// the relay drops and swaps datagrams on their way to the sink's `--rtp-port`. The sink
/// counts what was lost and put back in order, asks for an IDR (M13) after the loss, and
/// records every datagram that arrived, in sequence order.
@Suite struct LossyStreamProcessTests {
    /// The file is 2000 TS packets (286 datagrams of 7, the last of 5), sent with `--loop`;
    /// the sink sees the first 280 datagrams, three dropped and three pairs swapped.
    static let plan = UDPRelay.Plan(drop: [20, 120, 200], swap: [60, 160, 240], end: 280)

    @Test(arguments: [false, true])
    func lossAndReorderingAreCountedAndEveryArrivalRecorded(encrypted: Bool) async throws {
        let media = try ProjectionProcessTests.Media()
        defer { media.remove() }
        let relay = UDPRelay(plan: Self.plan)
        let relayPort = try await relay.start()
        let security = encrypted ? ["--pin", "13572468"] : ["--pin", "off", "--encryption", "off"]
        let (sink, port) = try await ProcessTests.sink(security + ["--record", media.recording, "--rtp-advertise-port", String(relayPort)])
        defer { sink.terminate() }
        let source = try WinteropProcess([
            "mice", "source", "--sink", "127.0.0.1:\(port)", "--bind", "127.0.0.2", "--rtsp-listen", "127.0.0.2:0",
            "--media", media.input, "--loop", "--json",
        ] + security)
        defer { source.terminate() }
        // The source is told the relay's port; the sink receives on the port it bound.
        let bound = try #require(await sink.wait(for: "stream_started")?["rtpPort"] as? Int, "sink: \(sink.lines) \(sink.stderr)")
        #expect(bound != relayPort)
        relay.forward(to: try SocketAddress(ipAddress: "127.0.0.1", port: bound))
        // The datagrams that waited in the relay, then the rest up to `end`; the session
        // runs on (`--loop`) until the sink has them all, then the source stops (Ctrl-C).
        let delivered = Self.plan.end - Self.plan.drop.count
        let all = await sink.wait(for: "stream_stats") { $0["packets"] as? Int == delivered }
        #expect(all != nil, "sink: \(sink.lines) \(sink.stderr)")
        source.interrupt()
        #expect(await source.waitForExit() == 0, "source stderr: \(source.stderr)")
        let ended = try #require(await sink.wait(for: "stream_ended"), "sink: \(sink.lines) \(sink.stderr)")
        await relay.stop()
        #expect(sink.event("wfd_negotiated")?["rtpPort"] as? Int == relayPort, "M4 repeats the advertised port")
        #expect(source.event("stream_started")?["rtpPort"] as? Int == relayPort, "the source sent to the advertised port")
        #expect(relay.arrived >= Self.plan.end)

        #expect(ended["lost"] as? Int == Self.plan.drop.count, "\(ended)")
        #expect(ended["reordered"] as? Int == Self.plan.swap.count, "\(ended)")
        #expect(ended["packets"] as? Int == relay.forwarded.count)
        // M13 after the loss, and the source heard it.
        #expect(sink.events().contains("idr_requested"), "sink: \(sink.lines)")
        #expect(source.events().contains("idr_requested"), "source: \(source.lines)")
        if encrypted { #expect(!sink.events().contains("stream_undecryptable")) }
        // Every datagram that arrived, in sequence order: the file without the dropped ones.
        let datagram = 7 * 188
        let expected = (0..<Self.plan.end).filter { !Self.plan.drop.contains($0) }.flatMap { index in
            media.bytes[(index * datagram)..<((index + 1) * datagram)]
        }
        let recordedEveryArrival = media.recorded == expected
        #expect(recordedEveryArrival, "recorded \(media.recorded?.count ?? -1) bytes, expected \(expected.count)")
        #expect(await sink.wait(for: "closed") != nil)
    }

    /// `--rtp-advertise-port` is checked like the other options (exit 2, what to do).
    @Test func anInvalidAdvertisedPortIsAUsageError() throws {
        let result = try WinteropProcess.run(["mice", "sink", "--listen", "127.0.0.1:0", "--no-advertise", "--rtp-port", "0", "--rtp-advertise-port", "0"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--rtp-advertise-port must be 1 to 65535"), "\(result.stderr)")
    }
}
