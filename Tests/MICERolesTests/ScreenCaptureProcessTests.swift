import Foundation
import Testing
import WinteropTestSupport

/// `mice source --media screen`: GStreamer's ximagesrc captures an X display (here an Xvfb
/// server), scaled to the negotiated 1920x1080 and encoded; GStreamer reads the sink's recording.
@Suite struct ScreenCaptureProcessTests {
    /// Starts `Xvfb` on a display number it picks itself (`-displayfd`); nil when it did not come up.
    static func startXvfb(_ xvfb: String) async throws -> (WinteropProcess, String)? {
        let server = try WinteropProcess(executable: URL(fileURLWithPath: xvfb), arguments: ["-displayfd", "1", "-screen", "0", "1280x720x24", "-nolisten", "tcp"])
        guard let number = await server.waitForLine(timeout: .seconds(20), { Int($0.trimmingCharacters(in: .whitespaces)) != nil }) else {
            server.terminate()
            return nil
        }
        return (server, ":" + number.trimmingCharacters(in: .whitespaces))
    }

    @Test func theScreenIsCapturedAtTheNegotiatedResolution() async throws {
        guard let xvfb = Prerequisites.executable("Xvfb") else {
            try Prerequisites.skip("Xvfb is not installed: apt-get install xvfb")
        }
        guard let gst = Prerequisites.executable("gst-launch-1.0"), let inspect = Prerequisites.executable("gst-inspect-1.0") else {
            try Prerequisites.skip("gst-launch-1.0 is not installed: apt-get install gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly")
        }
        if try ProjectionProcessTests.run(inspect, ["ximagesrc"]).status != 0 {
            try Prerequisites.skip("GStreamer has no ximagesrc: apt-get install gstreamer1.0-plugins-good")
        }
        guard let (server, display) = try await Self.startXvfb(xvfb) else {
            Issue.record("Xvfb did not report a display")
            return
        }
        defer { server.terminate() }
        let media = try ProjectionProcessTests.Media(bytes: [])
        defer { media.remove() }
        let (sink, port) = try await ProcessTests.sink(["--pin", "off", "--encryption", "off", "--record", media.recording])
        defer { sink.terminate() }
        var environment = ProcessInfo.processInfo.environment
        environment["DISPLAY"] = display
        let source = try WinteropProcess(executable: WinteropProcess.executable, arguments: [
            "mice", "source", "--sink", "127.0.0.1:\(port)", "--pin", "off", "--encryption", "off", "--rtsp-listen", "127.0.0.1:0",
            "--media", "screen", "--stop-after", "3", "--json",
        ], environment: environment)
        defer { source.terminate() }
        #expect(await source.waitForExit() == 0, "source stderr: \(source.stderr)")
        #expect(await sink.wait(for: "stream_ended") != nil, "sink: \(sink.lines)")
        #expect(sink.event("wfd_negotiated")?["video"] as? String == "1920x1080p60 CHP 4.2")
        // How many packets 3 s of capture and encoding make depends on the machine's load
        // (9 with two test suites at once); that some arrived, and that they parse as
        // 1920x1080 H.264 below, is what this test is about.
        let packets = try #require(sink.event("stream_ended")?["packets"] as? Int)
        #expect(packets > 0, "\(source.stderr)")
        let parse = try ProjectionProcessTests.run(gst, ["-q", "filesrc", "location=\(media.recording)", "!", "tsdemux", "!", "h264parse", "!", "video/x-h264,width=1920,height=1080", "!", "fakesink"])
        #expect(parse.status == 0, "GStreamer could not parse the recording: \(parse.output)")
    }

    @Test func withoutADisplayItIsAUsageError() async throws {
        guard Prerequisites.executable("gst-launch-1.0") != nil else {
            try Prerequisites.skip("gst-launch-1.0 is not installed: apt-get install gstreamer1.0-tools")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["DISPLAY"] = nil
        let source = try WinteropProcess(executable: WinteropProcess.executable, arguments: [
            "mice", "source", "--sink", "127.0.0.1:1", "--pin", "off", "--encryption", "off", "--media", "screen",
        ], environment: environment)
        defer { source.terminate() }
        #expect(await source.waitForExit() == 2)
        #expect(source.stderr.contains("--media screen captures an X display and DISPLAY is not set"), "\(source.stderr)")
    }
}
