import Foundation
import Testing
import WinteropTestSupport
import WinteropWire

extension NFPSProcesses {
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
            #expect(await receiver.finished() == 0, "receiver stderr: \(receiver.stderr)")
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
            #expect(await receiver.finished() == 1, "receiver stderr: \(receiver.stderr)")
            #expect(receiver.events() == ["failed"])
            #expect((receiver.event("failed")?["reason"] as? String)?.contains("no share sender answered") == true)
            #expect(sender.connections.withLockedValue { $0 } > 1, "the failed attempt was not retried")
            #expect(NFPS.contents(folder).isEmpty)
        }

        /// Ctrl-C in the middle of a transfer: the receiver abandons it, removes its hidden
        /// file and exits 1.
        @Test func interruptedReceiverLeavesNothing() async throws {
            let package = Array(NFPS.bytes(256 << 10, seed: 8))
            let sender = try await ScriptedSender(script: .stallMidStream, package: package, secret: Self.secret)
            defer { sender.stop() }
            let folder = try NFPS.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let receiver = try NFPS.receiver(to: "127.0.0.1:\(sender.port)", out: folder, ["--raw"])
            defer { receiver.terminate() }
            #expect(await receiver.wait(for: "header") != nil)
            try await Task.sleep(for: .milliseconds(200))
            #expect(NFPS.contents(folder).count == 1, "the hidden partial file should exist while receiving")
            receiver.interrupt()
            #expect(await receiver.finished() == 1, "receiver stderr: \(receiver.stderr)")
            #expect(receiver.event("failed")?["reason"] as? String == "interrupted")
            #expect(NFPS.contents(folder).isEmpty)
        }

        /// A sender that goes silent mid-stream without closing: after --stall-timeout the
        /// receiver abandons the transfer (3.3.7.3), says why, exits 1 and leaves nothing.
        @Test func stalledSenderTimesOut() async throws {
            let package = Array(NFPS.bytes(256 << 10, seed: 9))
            let sender = try await ScriptedSender(script: .stallMidStream, package: package, secret: Self.secret)
            defer { sender.stop() }
            let folder = try NFPS.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let clock = ContinuousClock()
            let start = clock.now
            let receiver = try NFPS.receiver(to: "127.0.0.1:\(sender.port)", out: folder, ["--raw", "--stall-timeout", "1"])
            defer { receiver.terminate() }
            #expect(await receiver.finished() == 1, "receiver stderr: \(receiver.stderr)")
            #expect(clock.now - start >= .seconds(1), "gave up before the stall timeout")
            #expect(receiver.event("header") != nil, "the stall should come after the Share header")
            let reason = receiver.event("failed")?["reason"] as? String
            #expect(reason == "the share sender sent nothing for 1 s (--stall-timeout) (in ReceivingPackage)", "reason: \(reason ?? "none")")
            #expect(receiver.stderr.contains("sent nothing for 1 s"), "stderr: \(receiver.stderr)")
            #expect(receiver.event("done") == nil)
            #expect(NFPS.contents(folder).isEmpty)
        }

        /// A sender that accepts but never echoes: the stall timeout ends the attempt, which
        /// is a failed attempt retried after 10 ms (3.1.7.1), until the set-up times out.
        @Test func silentSenderIsRetriedUntilTheSetupTimesOut() async throws {
            let sender = try await ScriptedSender(script: .silent, package: [1, 2, 3], secret: Self.secret)
            defer { sender.stop() }
            let folder = try NFPS.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            // The set-up limit stays below the 4 s second wave, so only retries reconnect.
            let receiver = try NFPS.receiver(to: "127.0.0.1:\(sender.port)", out: folder, ["--timeout", "3", "--stall-timeout", "0.3"])
            defer { receiver.terminate() }
            #expect(await receiver.finished() == 1, "receiver stderr: \(receiver.stderr)")
            #expect((receiver.event("failed")?["reason"] as? String)?.contains("no share sender answered") == true)
            #expect(sender.connections.withLockedValue { $0 } > 1, "the silent attempt was not retried")
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
            #expect(await receiver.finished() == 1, "receiver stderr: \(receiver.stderr)")
            #expect(receiver.event("failed") != nil)
            #expect(receiver.event("done") == nil)
            #expect(NFPS.contents(folder).isEmpty)
        }
    }
}

import ZIPFoundation

extension NFPSProcesses {
    /// OPC packages that must not be unpacked.
    @Suite struct HostilePackageTests {
        /// A part named `../evil.txt`: the receiver refuses the whole package and leaves nothing,
        /// neither the good part beside it nor anything outside `--out`.
        @Test func escapingPartNameRefusesThePackage() async throws {
            let folder = try NFPS.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let zip = folder.appendingPathComponent("hostile.zip")
            let archive = try Archive(url: zip, accessMode: .create)
            for (name, text) in [("[Content_Types].xml", "<Types/>"), ("good.txt", "good"), ("../evil.txt", "evil")] {
                let data = Data(text.utf8)
                try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count)) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            }
            let package = try Array(Data(contentsOf: zip))
            let sender = try await ScriptedSender(script: .plain, package: package, secret: NFPSProcesses.ScriptedSenderTests.secret)
            defer { sender.stop() }
            let inbox = folder.appendingPathComponent("inbox")
            let receiver = try NFPS.receiver(to: "127.0.0.1:\(sender.port)", out: inbox)
            defer { receiver.terminate() }
            #expect(await receiver.finished() == 1, "receiver stderr: \(receiver.stderr)")
            #expect((receiver.event("failed")?["reason"] as? String)?.contains("outside the output directory") == true)
            #expect(NFPS.contents(inbox).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("evil.txt").path))
        }
    }
}
