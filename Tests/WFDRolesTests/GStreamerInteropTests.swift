import Foundation
import WinteropTransport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
import WFDCore
import WFDRoles
import WinteropTestSupport

/// Interop with GStreamer (WFD-NOTES 5): a GStreamer-made H.264 MPEG-TS (mpegtsmux, its own
/// PCRs) goes through our PCR-paced RTP sender and the sink's receiver; the recording is
/// the file byte for byte, was paced in real time, and GStreamer's demuxer and H.264
/// parser read it back.
@Suite struct GStreamerInteropTests {
    static func gstLaunch() throws -> String {
        guard let gst = Prerequisites.executable("gst-launch-1.0") else {
            try Prerequisites.skip("gst-launch-1.0 is not installed: apt-get install gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly")
        }
        return gst
    }

    static func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let pipe = Pipe()
        closeOnExec(pipe)
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readBytesToEnd()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func gstreamerStreamThroughOurSenderAndReceiver() async throws {
        let gst = try Self.gstLaunch()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wfd-gst-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.ts").path
        let output = directory.appendingPathComponent("out.ts").path
        // One second of test pattern, constrained-baseline H.264 as WFD sources send it.
        let encode = try Self.run(gst, ["-q", "videotestsrc", "num-buffers=30", "!", "video/x-raw,format=I420,width=320,height=240,framerate=30/1",
                                        "!", "x264enc", "!", "video/x-h264,profile=constrained-baseline", "!", "h264parse",
                                        "!", "mpegtsmux", "alignment=7", "!", "filesink", "location=\(input)"])
        if encode.status != 0 {
            try Prerequisites.skip("GStreamer could not encode H.264 MPEG-TS (x264enc, mpegtsmux): apt-get install gstreamer1.0-plugins-ugly gstreamer1.0-plugins-bad — \(encode.output)")
        }
        let media = try [UInt8](Data(contentsOf: URL(fileURLWithPath: input)))
        try #require(media.count > 10 * 188 && media.count % 188 == 0)

        let group = MultiThreadedEventLoopGroup.singleton
        let received = NIOLockedValueBox<[UInt8]>([])
        let rtp = try await WFDChannels.bindRTPReceiver(group: group, host: "127.0.0.1", port: 0) {
            RTPReceiveHandler(output: { bytes in received.withLockedValue { $0 += bytes } })
        }
        let sender = try await WFDChannels.bindRTPSender(group: group, host: "127.0.0.1")
        let destination = try #require(rtp.localAddress)
        let start = ContinuousClock.now
        let stats = try await sender.eventLoop.submit {
            let s = RTPStreamSender(channel: sender, destination: destination, reader: try TransportStreamFile(path: input))
            s.begin()
            return s.result
        }.get().get()
        let elapsed = ContinuousClock.now - start
        let deadline = ContinuousClock.now + .seconds(30)
        while received.withLockedValue({ $0.count }) < media.count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        // What the sink's --record writes.
        let recorder = try TransportStreamRecorder(path: output)
        recorder.write(received.withLockedValue { $0 })
        recorder.close()
        try await rtp.close()
        try await sender.close()

        #expect(stats.packets == (media.count / 188 + 6) / 7)
        // mpegtsmux's PCRs span most of the second of video: the send took at least that
        // long (paced, not dumped); the upper bound only guards against a hang, since the
        // parallel test run can starve the event loop.
        #expect(elapsed >= .milliseconds(500) && elapsed < .seconds(60), "sent in \(elapsed)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == Data(media))
        let parse = try Self.run(gst, ["-v", "filesrc", "location=\(output)", "!", "tsdemux", "!", "h264parse", "!", "fakesink"])
        #expect(parse.status == 0, "\(parse.output)")
        #expect(parse.output.contains("video/x-h264") && parse.output.contains("width=(int)320"), "GStreamer did not find the H.264 stream: \(parse.output.suffix(500))")
    }
}
