import Foundation
import Testing
import WFDRoles
import WinteropTestSupport

/// `--player`: the choice of command and the pipe that feeds it.
@Suite struct PlayerTests {
    @Test func autoNeedsADisplayAndAPlayer() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wfd-player-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(WFDPlayerChoice.auto.resolved(environment: ["PATH": directory.path]) == nil, "no display")
        #expect(WFDPlayerChoice.auto.resolved(environment: ["PATH": directory.path, "DISPLAY": ":0"]) == nil, "no player installed")
        let ffplay = directory.appendingPathComponent("ffplay").path
        #expect(FileManager.default.createFile(atPath: ffplay, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755]))
        #expect(WFDPlayerChoice.auto.resolved(environment: ["PATH": directory.path, "WAYLAND_DISPLAY": "wayland-0"]) == WFDPlayerChoice.ffplay)
        let gst = directory.appendingPathComponent("gst-launch-1.0").path
        #expect(FileManager.default.createFile(atPath: gst, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755]))
        #expect(WFDPlayerChoice.auto.resolved(environment: ["PATH": directory.path, "DISPLAY": ":0"]) == WFDPlayerChoice.gstreamer)
        #expect(WFDPlayerChoice(argument: "none").resolved() == nil)
        #expect(WFDPlayerChoice(argument: "mpv -").resolved() == "mpv -")
    }

    @Test func pipeFeedsTheCommandsStandardInput() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("wfd-pipe-\(UUID().uuidString).ts").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let stream = MPEGTSFixture.stream(count: 300, interval: 10, bytesPerSecond: 1_000_000)
        let player = try WFDPlayerPipe(command: "cat > '\(out)'")
        for chunk in stride(from: 0, to: stream.count, by: 1316) {
            player.write(Array(stream[chunk..<min(chunk + 1316, stream.count)]))
        }
        player.close()
        #expect(player.exitStatus == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(stream))
    }

    @Test func aPlayerThatExitsDoesNotStopTheSink() throws {
        let player = try WFDPlayerPipe(command: "exit 3")
        usleep(200_000)
        player.write(Array(repeating: 0x47, count: 188 * 100))
        player.close()
        #expect(player.exitStatus == 3)
    }
}
