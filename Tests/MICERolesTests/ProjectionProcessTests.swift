import Foundation
import MICECore
import NIOCore
import NIOPosix
import Testing
import WinteropTestSupport

/// The projection after the connect-back (MS-MICE 3.1.7.1, 3.2.5.7; DESIGN.md, Projection)
/// between our own `winterop mice sink` and `winterop mice source` processes: a generated
/// MPEG-TS file goes in at the source and comes out of the sink's `--record` byte for
/// byte, in clear and as DTLS records of a PIN-paired session; keep-alive expiry tears
/// down; garbage on the RTSP connection never stops the sink.
@Suite struct ProjectionProcessTests {
    /// A scratch directory with `in.ts` (about 0.2 s of transport stream at 2 MB/s).
    struct Media {
        let directory: URL
        let bytes: [UInt8]
        var input: String { directory.appendingPathComponent("in.ts").path }
        var recording: String { directory.appendingPathComponent("out.ts").path }

        init(bytes: [UInt8] = MPEGTSFixture.stream(count: 2000, interval: 20, bytesPerSecond: 2_000_000)) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("mice-projection-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            self.bytes = bytes
            try Data(bytes).write(to: URL(fileURLWithPath: input))
        }

        var recorded: [UInt8]? { FileManager.default.contents(atPath: recording).map(Array.init) }
        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    /// Projects `media` from a source to a sink and returns both once the sink has closed.
    static func project(_ media: Media, sink sinkArguments: [String], source sourceArguments: [String]) async throws -> (sink: WinteropProcess, source: WinteropProcess) {
        let (sink, port) = try await ProcessTests.sink(sinkArguments + ["--record", media.recording])
        let source = try WinteropProcess([
            "mice", "source", "--sink", "127.0.0.1:\(port)", "--bind", "127.0.0.2", "--rtsp-listen", "127.0.0.2:0",
            "--media", media.input, "--json",
        ] + sourceArguments)
        #expect(await source.waitForExit() == 0, "source stderr: \(source.stderr)")
        #expect(await sink.wait(for: "closed", timeout: .seconds(30)) != nil, "sink: \(sink.lines) \(sink.stderr)")
        // The stream's end (counts, recording closed) can follow the MICE close.
        #expect(await sink.wait(for: "stream_ended") != nil, "sink: \(sink.lines)")
        return (sink, source)
    }

    @Test func plainProjectionRecordsTheFileByteForByte() async throws {
        let media = try Media()
        defer { media.remove() }
        let (sink, source) = try await Self.project(media, sink: ["--pin", "off", "--encryption", "off"], source: ["--pin", "off", "--encryption", "off"])
        defer { sink.terminate() }
        #expect(media.recorded == media.bytes, "the recording is the file, byte for byte")
        #expect(sink.event("stream_started")?["encrypted"] as? Bool == false)
        #expect(sink.event("wfd_negotiated")?["rtpPort"] as? Int == sink.event("stream_started")?["rtpPort"] as? Int)
        let ended = try #require(sink.event("stream_ended"))
        #expect(ended["reason"] as? String == "teardown")
        #expect(ended["bytes"] as? Int == media.bytes.count)
        #expect(ended["packets"] as? Int == (2000 + 6) / 7)
        // The source tore down when the file ended: TEARDOWN trigger, M8, STOP_PROJECTION.
        #expect(source.event("stream_ended")?["packets"] as? Int == (2000 + 6) / 7)
        #expect(source.event("closed")?["reason"] as? String == "local_disconnect")
        #expect(sink.event("closed")?["reason"] as? String == "stop_projection")
        #expect(ProcessTests.miceEvents(sink) == ["listening", "connected", "source_ready", "rtsp_connected", "stop_projection", "closed"])
    }

    @Test func dtlsAndPINProjectionDecryptsEveryDatagram() async throws {
        let media = try Media()
        defer { media.remove() }
        let (sink, source) = try await Self.project(media, sink: ["--pin", "13572468"], source: ["--pin", "13572468"])
        defer { sink.terminate() }
        #expect(source.event("stream_started")?["encrypted"] as? Bool == true)
        #expect(sink.event("stream_started")?["encrypted"] as? Bool == true)
        #expect(media.recorded == media.bytes, "every DTLS record opened, the recording is the file")
        #expect(!sink.events().contains("stream_undecryptable"))
        // Sealed datagrams are larger than the RTP packets (the record header and AEAD tag).
        let sent = try #require(source.event("stream_ended")?["bytes"] as? Int)
        #expect(sent > media.bytes.count + 12 * ((2000 + 6) / 7))
    }

    /// Datagrams on the RTP port that are not DTLS records of the session are dropped and
    /// counted (3.1.7.1); the stream around them is unharmed.
    @Test func datagramsThatDoNotDecryptAreDroppedAndCounted() async throws {
        let media = try Media(bytes: MPEGTSFixture.stream(count: 2_000, interval: 20, bytesPerSecond: 2_000_000))
        defer { media.remove() }
        let (sink, port) = try await ProcessTests.sink(["--pin", "13572468", "--record", media.recording])
        defer { sink.terminate() }
        // --loop: the stream runs until the source is stopped, so the forged datagrams
        // always meet a running stream, however late this test gets to send them.
        let source = try WinteropProcess([
            "mice", "source", "--sink", "127.0.0.1:\(port)", "--bind", "127.0.0.2", "--rtsp-listen", "127.0.0.2:0",
            "--pin", "13572468", "--media", media.input, "--loop", "--json",
        ])
        defer { source.terminate() }
        let rtpPort = try #require(await sink.wait(for: "stream_started")?["rtpPort"] as? Int)
        let intruder = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let target = try SocketAddress(ipAddress: "127.0.0.1", port: rtpPort)
        for i in 0..<5 {
            // An RTP header in clear, then a forged DTLS application-data record.
            let forged: [[UInt8]] = [[0x80, 33, 0, UInt8(i)] + Array(repeating: 0x47, count: 200), [23, 0xFE, 0xFD] + Array(repeating: UInt8(i), count: 100)]
            for bytes in forged {
                try await intruder.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: ByteBuffer(bytes: bytes)))
            }
        }
        try await intruder.close()
        // Stream datagrams that arrive after the forged ones: those were read first.
        let statsBefore = sink.jsonEvents().filter { $0["event"] as? String == "stream_stats" }.count
        let deadline = ContinuousClock.now + .seconds(30)
        while sink.jsonEvents().filter({ $0["event"] as? String == "stream_stats" }).count < statsBefore + 2, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        source.interrupt()
        #expect(await source.waitForExit() == 0, "source stderr: \(source.stderr)")
        #expect(await sink.wait(for: "closed") != nil)
        #expect(await sink.wait(for: "stream_ended") != nil, "sink: \(sink.lines)")
        // UDP: on a loaded machine some of the ten forged datagrams may never reach the
        // socket; every one that does is dropped and counted, and none is recorded.
        #expect((sink.event("stream_undecryptable")?["count"] as? Int).map { (1...10).contains($0) } == true, "\(sink.lines)")
        // The recording is the file over and over (cut at the stop), packet by packet: no forged byte in it.
        let recorded = try #require(media.recorded)
        #expect(recorded.count >= media.bytes.count && recorded.count % 188 == 0, "recorded \(recorded.count) bytes")
        let packets = media.bytes.count / 188
        let mismatched = stride(from: 0, to: recorded.count, by: 188).first { offset in
            let index = (offset / 188) % packets
            return recorded[offset..<offset + 188].elementsEqual(media.bytes[index * 188..<(index + 1) * 188]) == false
        }
        #expect(mismatched == nil, "the recording differs from the looped file at byte \(mismatched ?? 0)")
    }

    /// `--player COMMAND` gets the stream on its standard input and is stopped with the session.
    @Test func thePlayerCommandReadsTheStream() async throws {
        let media = try Media()
        defer { media.remove() }
        let played = media.directory.appendingPathComponent("played.ts").path
        let (sink, _) = try await Self.project(media, sink: ["--pin", "off", "--encryption", "off", "--player", "cat > '\(played)'"], source: ["--pin", "off", "--encryption", "off"])
        defer { sink.terminate() }
        // The player may still be writing its last bytes when the sink reports the end.
        let deadline = ContinuousClock.now + .seconds(20)
        while FileManager.default.contents(atPath: played).map(Array.init) != media.bytes, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(FileManager.default.contents(atPath: played).map(Array.init) == media.bytes)
    }

    /// The user pauses and resumes through the source (SIGUSR1, SIGUSR2): the PAUSE
    /// trigger and M9, then the PLAY trigger and M7, reported by both processes; the
    /// stream then flows again until the source stops it.
    @Test func sourceSignalsPauseAndResumeTheStream() async throws {
        let media = try Media()
        defer { media.remove() }
        let (sink, port) = try await ProcessTests.sink(["--pin", "off", "--encryption", "off", "--record", media.recording])
        defer { sink.terminate() }
        let source = try WinteropProcess([
            "mice", "source", "--sink", "127.0.0.1:\(port)", "--pin", "off", "--encryption", "off", "--rtsp-listen", "127.0.0.1:0",
            "--media", media.input, "--loop", "--json",
        ])
        defer { source.terminate() }
        #expect(await sink.wait(for: "stream_started", timeout: .seconds(30)) != nil, "sink: \(sink.lines) \(sink.stderr)")
        kill(source.process.processIdentifier, SIGUSR1)
        #expect(await source.wait(for: "stream_paused", timeout: .seconds(30)) != nil, "source: \(source.lines) \(source.stderr)")
        #expect(await sink.wait(for: "stream_paused", timeout: .seconds(30)) != nil, "sink: \(sink.lines)")
        kill(source.process.processIdentifier, SIGUSR2)
        #expect(await source.wait(for: "stream_resumed", timeout: .seconds(30)) != nil, "source: \(source.lines) \(source.stderr)")
        #expect(await sink.wait(for: "stream_resumed", timeout: .seconds(30)) != nil, "sink: \(sink.lines)")
        // Still one session: a stop now goes through TEARDOWN as usual.
        source.interrupt()
        #expect(await source.waitForExit(timeout: .seconds(30)) == 0, "source stderr: \(source.stderr)")
        #expect(await sink.wait(for: "stream_ended", timeout: .seconds(30))?["reason"] as? String == "teardown", "sink: \(sink.lines)")
    }

    @Test func keepAliveExpiryTearsDown() async throws {
        // The source announces a 1 s timeout but sends M16 only every 20 s.
        let (sink, port) = try await ProcessTests.sink(["--pin", "off", "--encryption", "off"])
        defer { sink.terminate() }
        let source = try WinteropProcess([
            "mice", "source", "--sink", "127.0.0.1:\(port)", "--pin", "off", "--encryption", "off", "--rtsp-listen", "127.0.0.1:0",
            "--keepalive", "20", "--keepalive-timeout", "1", "--json",
        ])
        defer { source.terminate() }
        let ended = await sink.wait(for: "stream_ended", timeout: .seconds(30))
        #expect(ended?["reason"] as? String == "keep-alive expired", "sink: \(sink.lines)")
        // The source hears M8, ends its session and says STOP_PROJECTION.
        #expect(await source.waitForExit(timeout: .seconds(30)) == 0, "source stderr: \(source.stderr)")
        #expect(source.event("stream_ended")?["reason"] as? String == "teardown")
        #expect(await sink.wait(for: "closed") != nil)
        #expect(await sink.wait(for: "stream_ended") != nil, "sink: \(sink.lines)")
    }

    /// A source that answers the connect-back with bytes that are not RTSP.
    @Test func garbageOnRTSPNeverStopsTheSink() async throws {
        let (sink, port) = try await ProcessTests.sink(["--pin", "off", "--encryption", "off"])
        defer { sink.terminate() }
        let group = MultiThreadedEventLoopGroup.singleton
        let garbage: [[UInt8]] = [
            Array("HELLO\r\n\r\n".utf8),
            Array("OPTIONS * RTSP/1.0\r\nContent-Length: 99999999\r\n\r\n".utf8),
            [UInt8](repeating: 0xFF, count: 70_000),
        ]
        for (index, bytes) in garbage.enumerated() {
            let rtsp = try await ServerBootstrap(group: group)
                .childChannelInitializer { child in
                    // Garbage, then (if the sink has not hung up on it) the connection ends.
                    child.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil)
                    child.eventLoop.scheduleTask(in: .milliseconds(300)) { child.close(promise: nil) }
                    return child.eventLoop.makeSucceededVoidFuture()
                }
                .bind(host: "127.0.0.1", port: 0).get()
            let rtspPort = try #require(rtsp.localAddress?.port)
            let connection = try await RawConnection.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: port))
            let ready = MICEMessage.sourceReady(SourceReadyMessage(friendlyName: "garbage", rtspPort: UInt16(rtspPort), sourceID: try #require(SourceID(Array(repeating: UInt8(index + 1), count: 16)))))
            try await connection.send(try ready.encoded())
            // The sink connects back, reads garbage and ends that session, not itself.
            _ = try? await connection.readUntilClosed(timeout: .seconds(10))
            await connection.close()
            try await rtsp.close()
        }
        let closed = sink.jsonEvents().filter { $0["event"] as? String == "closed" }
        #expect(closed.count == garbage.count, "\(sink.lines)")
        #expect(sink.process.isRunning, "the sink is still running")
        // And a real source still projects to it.
        let source = try WinteropProcess([
            "mice", "source", "--sink", "127.0.0.1:\(port)", "--pin", "off", "--encryption", "off", "--rtsp-listen", "127.0.0.1:0",
            "--stop-after", "3", "--json",
        ])
        defer { source.terminate() }
        #expect(await source.waitForExit() == 0, "source stderr: \(source.stderr)")
        // --stop-after runs from the connect-back: 3 s leaves M1-M7 time on a loaded machine.
        #expect(source.events().contains("wfd_negotiated"), "\(source.lines)")
        sink.interrupt()
        #expect(await sink.waitForExit() == 0)
    }

    /// `--media testsrc`: GStreamer's test pattern at the negotiated resolution (1920x1080,
    /// what our sink offers first) through the same sender; GStreamer reads the recording.
    @Test func testPatternAtTheNegotiatedResolution() async throws {
        guard let gst = Prerequisites.executable("gst-launch-1.0") else {
            try Prerequisites.skip("gst-launch-1.0 is not installed: apt-get install gstreamer1.0-tools gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly")
        }
        let media = try Media(bytes: [])
        defer { media.remove() }
        let (sink, port) = try await ProcessTests.sink(["--pin", "off", "--encryption", "off", "--record", media.recording])
        defer { sink.terminate() }
        let source = try WinteropProcess([
            "mice", "source", "--sink", "127.0.0.1:\(port)", "--pin", "off", "--encryption", "off", "--rtsp-listen", "127.0.0.1:0",
            "--media", "testsrc", "--stop-after", "3", "--json",
        ])
        defer { source.terminate() }
        #expect(await source.waitForExit() == 0, "source stderr: \(source.stderr)")
        #expect(await sink.wait(for: "closed") != nil)
        #expect(await sink.wait(for: "stream_ended") != nil, "sink: \(sink.lines)")
        #expect(sink.event("wfd_negotiated")?["video"] as? String == "1920x1080p60 CHP 4.2")
        let packets = try #require(sink.event("stream_ended")?["packets"] as? Int)
        #expect(packets > 10, "\(source.stderr)")
        let parse = try Self.run(gst, ["-q", "filesrc", "location=\(media.recording)", "!", "tsdemux", "!", "h264parse", "!", "video/x-h264,width=1920,height=1080", "!", "fakesink"])
        #expect(parse.status == 0, "GStreamer could not parse the recording: \(parse.output)")
    }

    /// Runs a GStreamer tool to completion: its status and everything it printed.
    static func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = try WinteropProcess.run(arguments, executable: URL(fileURLWithPath: program))
        return (result.status, result.stdout + result.stderr)
    }

    /// GStreamer (a third-party demuxer and H.264 parser) reads what our sink recorded.
    @Test func gstreamerReadsTheRecording() async throws {
        guard let gst = Prerequisites.executable("gst-launch-1.0") else {
            try Prerequisites.skip("gst-launch-1.0 is not installed: apt-get install gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly")
        }
        let scratch = try Media(bytes: [])
        defer { scratch.remove() }
        let encode = try Self.run(gst, ["-q", "videotestsrc", "num-buffers=30", "!", "video/x-raw,format=I420,width=320,height=240,framerate=30/1",
                                        "!", "x264enc", "!", "video/x-h264,profile=constrained-baseline", "!", "h264parse",
                                        "!", "mpegtsmux", "alignment=7", "!", "filesink", "location=\(scratch.input)"])
        if encode.status != 0 {
            try Prerequisites.skip("GStreamer could not encode H.264 MPEG-TS (x264enc, mpegtsmux): apt-get install gstreamer1.0-plugins-ugly gstreamer1.0-plugins-bad — \(encode.output)")
        }
        let media = try Media(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: scratch.input))))
        defer { media.remove() }
        let (sink, _) = try await Self.project(media, sink: ["--pin", "13572468"], source: ["--pin", "13572468"])
        defer { sink.terminate() }
        #expect(media.recorded == media.bytes)
        if let discoverer = Prerequisites.executable("gst-discoverer-1.0") {
            let report = try Self.run(discoverer, [media.recording])
            #expect(report.status == 0 && report.output.contains("H.264"), "\(report.output)")
        } else {
            let parse = try Self.run(gst, ["-q", "filesrc", "location=\(media.recording)", "!", "tsdemux", "!", "h264parse", "!", "video/x-h264,width=320,height=240", "!", "fakesink"])
            #expect(parse.status == 0, "GStreamer could not parse the recording: \(parse.output)")
        }
    }
}
