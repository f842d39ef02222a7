import Foundation
import WinteropTransport
import Testing
import WinteropTestSupport

/// The MICE-framed DTLS tunnel against an independent implementation (pyOpenSSL, with
/// framing written from the spec in Python), in both directions, PIN over DTLS with
/// the source on 127.0.0.2. Skipped, naming the Debian package, without pyOpenSSL.
@Suite(.serialized) struct DTLSInteropTests {
    static let interop = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Interop")

    /// Runs a pyOpenSSL script; skips the test when no Python has pyOpenSSL.
    static func python(_ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Prerequisites.pyOpenSSL())
        process.arguments = arguments
        let out = Pipe()
        closeOnExec(out)
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, out)
    }

    @Test func independentSourceAgainstOurSink() async throws {
        _ = try Prerequisites.pyOpenSSL()
        let (sink, port) = try await ProcessTests.sink(["--pin", "24680135"])
        defer { sink.terminate() }
        let (client, out) = try Self.python([Self.interop.appendingPathComponent("pyopenssl_mice_source.py").path, "127.0.0.1", "\(port)", "24680135", "127.0.0.2"])
        let text = String(decoding: out.fileHandleForReading.readBytesToEnd(), as: UTF8.self)
        client.waitUntilExit()
        #expect(client.terminationStatus == 0, "pyOpenSSL source: \(text)")
        let result = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(result?["protocol"] as? String == "DTLSv1.2")
        #expect(result?["pinAccepted"] as? Bool == true)
        await sink.wait(for: "closed")
        #expect(ProcessTests.miceEvents(sink) == ["listening", "connected", "session_request", "pin_displayed", "dtls_complete", "pin_result", "source_ready", "rtsp_connected", "stop_projection", "closed"])
    }

    @Test func ourSourceAgainstAnIndependentSink() async throws {
        _ = try Prerequisites.pyOpenSSL()
        let (server, out) = try Self.python([Self.interop.appendingPathComponent("pyopenssl_mice_sink.py").path, "127.0.0.1", "97531864"])
        defer { if server.isRunning { server.terminate() } }
        let reader = out.fileHandleForReading
        var firstLine = Data()
        while let byte = try? reader.readSomeBytes(maximum: 1), !byte.isEmpty, byte != Data("\n".utf8) { firstLine += byte }
        guard let port = (try JSONSerialization.jsonObject(with: firstLine) as? [String: Any])?["port"] as? Int else {
            Issue.record("the pyOpenSSL sink did not start")
            return
        }
        let source = try ProcessTests.source(port: port, ["--pin", "97531864"])
        defer { source.terminate() }
        #expect(await source.waitForExit() == 0, "source stderr: \(source.stderr)")
        #expect(ProcessTests.miceEvents(source) == ["listening", "connected", "session_request", "dtls_complete", "pin_result", "source_ready", "rtsp_connected", "closed"])
        let rest = String(decoding: reader.readBytesToEnd(), as: UTF8.self)
        server.waitUntilExit()
        let result = try JSONSerialization.jsonObject(with: Data(rest.utf8)) as? [String: Any]
        #expect(result?["handshake"] as? Bool == true)
        #expect(result?["pinAccepted"] as? Bool == true)
        #expect(result?["stopProjection"] as? Bool == true)
    }
}
