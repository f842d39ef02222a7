import Foundation
import Glibc
import Testing
import WinteropTestSupport

/// Crash safety: `sstp send` deposits while the relay is SIGKILLed at a random moment,
/// 20 times over (issue 11: "run it 20 times in a test"); after the last restart every message whose deposit was
/// acknowledged is delivered, byte-identical and in deposit order.
@Suite(.serialized) struct RelayCrashSafetyTests {
    static let iterations = 20
    static let filesPerIteration = 100

    @Test func everyAcknowledgedDepositSurvivesSIGKILL() async throws {
        let work = try RelayProcessTests.temporaryDirectory()
        let store = work.appendingPathComponent("relay.sqlite")
        var generator = SystemRandomNumberGenerator()
        var port = 0
        var acknowledged: [String] = []
        var sent: [String: URL] = [:]
        var order: [String] = []
        for iteration in 0..<Self.iterations {
            let directory = work.appendingPathComponent("batch-\(iteration)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var files: [URL] = []
            for j in 0..<Self.filesPerIteration {
                let name = "it\(iteration)-\(String(format: "%04d", j)).bin"
                let url = directory.appendingPathComponent(name)
                var bytes = [UInt8](repeating: 0, count: 64 + Int.random(in: 0..<4000, using: &generator))
                for k in bytes.indices { bytes[k] = UInt8.random(in: 0...255, using: &generator) }
                try Data(bytes).write(to: url)
                files.append(url)
                sent[name] = url
                order.append(name)
            }
            let relay = try RelayProcessTests.relay(store, port: port, extra: ["--ack-delay", "0.02"])
            port = try #require(await relay.listeningPort(service: "sstp-relay"), "relay \(iteration) did not listen: \(relay.stderr)")
            let sender = try WinteropProcess.winterop(
                ["sstp", "send", "--to", "127.0.0.1:\(port)", "--target-device", "dpp://relay", "--device-url", "dpp://sender",
                 "--resource", "app", "--identity", "grooveIdentity://alice", "--device", "dpp://phone", "--json", "--file", directory.path]
            )
            // Kill under load: after the first acknowledgment, at a random moment.
            _ = await sender.waitForLine(timeout: .seconds(20)) { $0.contains("\"acknowledged\"") }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0..<30, using: &generator)))
            kill(relay.process.processIdentifier, SIGKILL)
            _ = await relay.waitForExit()
            _ = await sender.waitForExit()
            acknowledged += sender.jsonEvents().filter { $0["event"] as? String == "acknowledged" }.compactMap { $0["name"] as? String }
                .map { URL(fileURLWithPath: $0).lastPathComponent }
        }
        #expect(!acknowledged.isEmpty, "no deposit was acknowledged before the kills")
        #expect(acknowledged.count < order.count, "every kill came after its deposit was complete: none interrupted a deposit")
        print("crash safety: \(order.count) sent, \(acknowledged.count) acknowledged before the kills")

        let relay = try RelayProcessTests.relay(store, port: port)
        defer { relay.terminate() }
        _ = try #require(await relay.listeningPort(service: "sstp-relay"))
        let stored = try #require(relay.event("store_opened")?["stored"] as? Int)
        #expect(stored >= acknowledged.count)
        let out = work.appendingPathComponent("inbox")
        let received = try RelayProcessTests.receive(port, out: out, count: stored)
        #expect(received.status == 0, "sstp receive failed: \(received.stderr)")
        let messages = RelayProcessTests.events(received.stdout).filter { $0["event"] as? String == "message" }
        let names = messages.compactMap { $0["userRef"] as? String }
        // Everything acknowledged arrived; what arrived is in deposit order, each once.
        #expect(Set(acknowledged).isSubset(of: Set(names)), "lost: \(Set(acknowledged).subtracting(names).sorted())")
        let positions = names.compactMap { order.firstIndex(of: $0) }
        #expect(positions == positions.sorted() && Set(positions).count == positions.count, "out of order or repeated")
        for message in messages {
            guard let name = message["userRef"] as? String, let path = message["path"] as? String, let original = sent[name] else { continue }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(contentsOf: original), "\(name) differs")
        }
    }
}
