import Foundation
import Testing
import WinteropTestSupport
import WinteropWire

/// `winterop nfps receive` against a scripted share sender.
@Suite struct ScriptedSenderTests {
    static let secret = Hex.decode(NFPS.secret) ?? []

    /// 2.2.2: "implementations MUST accept any value greater than or equal to 10 and ignore
    /// fields that are not defined".
    @Test func futureShareHeaderSizeIsAccepted() async throws {
        let package = Array(NFPS.bytes(1000, seed: 12))
        let sender = try await ScriptedSender(script: .futureHeaderSize, package: package, secret: Self.secret)
        defer { sender.stop() }
        let folder = try NFPS.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let receiver = try NFPS.receiver(to: "127.0.0.1:\(sender.port)", out: folder, ["--raw"])
        defer { receiver.terminate() }
        #expect(await receiver.waitForExit() == 0, "receiver stderr: \(receiver.stderr)")
        #expect(receiver.event("header")?["headerSize"] as? Int == 12)
        #expect(try Data(contentsOf: folder.appendingPathComponent("package.opc")) == Data(package))
    }

    /// 3.1.7.1: an echo that is not identical closes the socket and counts as a failed
    /// attempt, retried after 10 ms until the set-up times out.
    @Test func differingEchoIsRefused() async throws {
        let sender = try await ScriptedSender(script: .differingEcho, package: [1, 2, 3], secret: Self.secret)
        defer { sender.stop() }
        let folder = try NFPS.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let receiver = try NFPS.receiver(to: "127.0.0.1:\(sender.port)", out: folder, ["--timeout", "0.5"])
        defer { receiver.terminate() }
        #expect(await receiver.waitForExit() == 1, "receiver stderr: \(receiver.stderr)")
        #expect(receiver.events() == ["failed"])
        #expect((receiver.event("failed")?["reason"] as? String)?.contains("no share sender answered") == true)
        #expect(sender.connections.withLockedValue { $0 } > 1, "the failed attempt was not retried")
        #expect(NFPS.contents(folder).isEmpty)
    }

    /// 3.3.7.3 / 3.3.7.4: a sender that stops mid-stream (FIN or RST): the receiver is
    /// abandoned and nothing that looks complete is left.
    @Test(arguments: [false, true])
    func senderDyingMidStream(reset: Bool) async throws {
        let package = Array(NFPS.bytes(64 << 10, seed: 5))
        let sender = try await ScriptedSender(script: .dieMidStream(reset: reset), package: package, secret: Self.secret)
        defer { sender.stop() }
        let folder = try NFPS.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let receiver = try NFPS.receiver(to: "127.0.0.1:\(sender.port)", out: folder, ["--raw"])
        defer { receiver.terminate() }
        #expect(await receiver.waitForExit() == 1, "receiver stderr: \(receiver.stderr)")
        #expect(receiver.event("failed") != nil)
        #expect(receiver.event("done") == nil)
        #expect(NFPS.contents(folder).isEmpty)
    }
}
