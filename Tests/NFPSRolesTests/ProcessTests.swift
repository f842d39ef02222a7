import Crypto
import Foundation
import Testing
import WinteropTestSupport

extension NFPSProcesses {
    /// `winterop nfps send` ⇄ `winterop nfps receive` as separate processes on 127.0.0.1.
    @Suite struct ProcessTests {
        /// Raw packages of the corner sizes of 4.1.5 and around the block size, byte-identical.
        @Test(arguments: [0, 1, 15, 16, 17, 500, 511, 512, (1 << 20) + 7])
        func rawPackageSizes(size: Int) async throws {
            let folder = try NFPS.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let package = folder.appendingPathComponent("package.bin")
            let bytes = NFPS.bytes(size, seed: UInt64(size) + 1)
            try bytes.write(to: package)
            let (sender, port) = try await NFPS.sender(["--raw", package.path])
            defer { sender.terminate() }
            let inbox = folder.appendingPathComponent("inbox")
            let receiver = try NFPS.receiver(to: "127.0.0.1:\(port)", out: inbox, ["--raw"])
            defer { receiver.terminate() }
            #expect(await receiver.finished() == 0, "receiver stderr: \(receiver.stderr)")
            #expect(await sender.finished() == 0, "sender stderr: \(sender.stderr)")
            let received = try Data(contentsOf: inbox.appendingPathComponent("package.opc"))
            #expect(received == bytes)
            let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            #expect(receiver.event("done")?["sha256"] as? String == digest)
            #expect(sender.event("done")?["sha256"] as? String == digest)
            #expect(receiver.event("done")?["bytes"] as? Int == size)
            #expect(receiver.event("header")?["totalContentSizeEstimate"] as? Int == size)
            #expect(sender.events() == ["listening", "connected", "header", "done"])
            #expect(NFPS.contents(inbox) == ["package.opc"])
        }

        /// `--no-sha256` on one side or both: that side's done event has no sha256 field,
        /// the other still reports the right digest, and the bytes arrive unchanged.
        @Test(arguments: [(true, false), (false, true), (true, true)])
        func noSHA256(sender senderOff: Bool, receiver receiverOff: Bool) async throws {
            let folder = try NFPS.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let package = folder.appendingPathComponent("package.bin")
            let bytes = NFPS.bytes((1 << 20) + 7, seed: 5)
            try bytes.write(to: package)
            let off = ["--no-sha256"]
            let (sender, port) = try await NFPS.sender(["--raw", package.path] + (senderOff ? off : []))
            defer { sender.terminate() }
            let inbox = folder.appendingPathComponent("inbox")
            let receiver = try NFPS.receiver(to: "127.0.0.1:\(port)", out: inbox, ["--raw"] + (receiverOff ? off : []))
            defer { receiver.terminate() }
            #expect(await receiver.finished() == 0, "receiver stderr: \(receiver.stderr)")
            #expect(await sender.finished() == 0, "sender stderr: \(sender.stderr)")
            #expect(try Data(contentsOf: inbox.appendingPathComponent("package.opc")) == bytes)
            let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            for (process, isOff) in [(sender, senderOff), (receiver, receiverOff)] {
                let done = process.event("done")
                #expect(done?["bytes"] as? Int == bytes.count)
                #expect(done?["sha256"] as? String == (isOff ? nil : digest))
            }
        }

        /// The done-when check: two files packed, sent, unpacked unchanged.
        @Test func filesArriveUnchanged() async throws {
            let folder = try NFPS.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let photo = folder.appendingPathComponent("photo.jpg"), notes = folder.appendingPathComponent("notes.txt")
            try NFPS.bytes(200_003, seed: 7).write(to: photo)
            try Data("notes, with ünïcode\n".utf8).write(to: notes)
            let (sender, port) = try await NFPS.sender([photo.path, notes.path])
            defer { sender.terminate() }
            let inbox = folder.appendingPathComponent("inbox")
            let receiver = try NFPS.receiver(to: "127.0.0.1:\(port)", out: inbox)
            defer { receiver.terminate() }
            #expect(await receiver.finished() == 0, "receiver stderr: \(receiver.stderr)")
            #expect(await sender.finished() == 0, "sender stderr: \(sender.stderr)")
            #expect(NFPS.contents(inbox) == ["notes.txt", "photo.jpg"])
            #expect(try Data(contentsOf: inbox.appendingPathComponent("photo.jpg")) == Data(contentsOf: photo))
            #expect(try Data(contentsOf: inbox.appendingPathComponent("notes.txt")) == Data(contentsOf: notes))
            #expect(receiver.event("done")?["files"] as? [String] == ["photo.jpg", "notes.txt"])
        }

        /// --decline: the Abort flag goes out; the sender echoes it, closes and reports declined.
        @Test func declineAborts() async throws {
            let folder = try NFPS.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("a.txt")
            try Data("declined".utf8).write(to: file)
            let (sender, port) = try await NFPS.sender([file.path])
            defer { sender.terminate() }
            let inbox = folder.appendingPathComponent("inbox")
            let receiver = try NFPS.receiver(to: "127.0.0.1:\(port)", out: inbox, ["--decline"])
            defer { receiver.terminate() }
            #expect(await receiver.finished() == 0, "receiver stderr: \(receiver.stderr)")
            #expect(await sender.finished() == 1, "sender stderr: \(sender.stderr)")
            #expect(receiver.events() == ["declined"])
            #expect(sender.events() == ["listening", "declined"])
            #expect(NFPS.contents(inbox).isEmpty)
        }

        /// A wrong SharedSecretKey: the footer or the package is invalid; nothing is left.
        @Test func wrongSecretFailsCleanly() async throws {
            let folder = try NFPS.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("secret.bin")
            try NFPS.bytes(4099, seed: 3).write(to: file)
            let (sender, port) = try await NFPS.sender([file.path])
            defer { sender.terminate() }
            let inbox = folder.appendingPathComponent("inbox")
            let receiver = try NFPS.receiver(to: "127.0.0.1:\(port)", out: inbox, secret: "ffeeddcc")
            defer { receiver.terminate() }
            #expect(await receiver.finished() == 1, "receiver stderr: \(receiver.stderr)")
            let reason = receiver.event("failed")?["reason"] as? String ?? ""
            #expect(reason.contains("footer") || reason.contains("RemainderLength") || reason.contains("OPC"), "reason: \(reason)")
            #expect(NFPS.contents(inbox).isEmpty)
            _ = await sender.finished()
        }

        /// Several addresses: an all-zero one is skipped, a refused one retried, the live one wins.
        @Test func parallelConnectsPickTheLiveAddress() async throws {
            let folder = try NFPS.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("p.bin")
            try NFPS.bytes(777, seed: 9).write(to: file)
            let (sender, port) = try await NFPS.sender(["--raw", file.path])
            defer { sender.terminate() }
            let inbox = folder.appendingPathComponent("inbox")
            let receiver = try NFPS.receiver(to: "0.0.0.0:\(port),127.0.0.1:1,1@127.0.0.1:\(port)", out: inbox, ["--raw"])
            defer { receiver.terminate() }
            #expect(await receiver.finished() == 0, "receiver stderr: \(receiver.stderr)")
            #expect(receiver.event("connected")?["connectionType"] as? Int == 1)
            #expect(try Data(contentsOf: inbox.appendingPathComponent("package.opc")) == Data(contentsOf: file))
        }

        /// Usage errors exit 2 and say what to change.
        @Test func usageErrors() throws {
            let bad = try WinteropProcess.run(["nfps", "send", "--listen", "127.0.0.1:0", "--session-id", "12", "--secret", "00", "x"])
            #expect(bad.status == 2 && bad.stderr.contains("--session-id"))
            let none = try WinteropProcess.run(["nfps", "send", "--listen", "127.0.0.1:0", "--session-id", NFPS.sessionID, "--secret", "00"])
            #expect(none.status == 2 && none.stderr.contains("FILE"))
            let zeros = try WinteropProcess.run(["nfps", "receive", "--to", "0.0.0.0:5", "--session-id", NFPS.sessionID, "--secret", "00", "--out", "/tmp/x"])
            #expect(zeros.status == 2 && zeros.stderr.contains("all zeros"))
            let stall = try WinteropProcess.run(["nfps", "receive", "--to", "127.0.0.1:5", "--session-id", NFPS.sessionID, "--secret", "00", "--out", "/tmp/x", "--stall-timeout", "0"])
            #expect(stall.status == 2 && stall.stderr.contains("--stall-timeout"), "stderr: \(stall.stderr)")
            let folder = try NFPS.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("f.bin")
            try Data([1]).write(to: file)
            let sendStall = try WinteropProcess.run(["nfps", "send", "--listen", "127.0.0.1:0", "--session-id", NFPS.sessionID, "--secret", "00", "--raw", file.path, "--stall-timeout", "0"])
            #expect(sendStall.status == 2 && sendStall.stderr.contains("--stall-timeout must be"), "stderr: \(sendStall.stderr)")
        }
    }
}
