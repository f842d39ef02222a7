import Foundation
import NIOCore
import SSTPCore
import Testing
@testable import SSTPRelay
@testable import SSTPRelayCore

/// The durable store: WAL + synchronous FULL, group commits, and what a restart finds.
@Suite struct RelayStoreTests {
    static func temporaryPath() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("relay-store-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("relay.sqlite").path
    }

    static func message(_ id: Int64, device: String = "dpp://phone", _ m: SSTP.Message = SSTP.Message(sessionId: 0), expiry: NIODeadline? = nil) -> SSTPRelay.StoredMessage {
        SSTPRelay.StoredMessage(
            id: id, recipient: SSTPRelay.Recipient(resourceURL: "app", identityURL: "id", deviceURL: device),
            message: m, payload: Array("payload \(id)".utf8), expiry: expiry
        )
    }

    @Test func registrationsSurviveReopeningOnceEach() async throws {
        let path = Self.temporaryPath()
        let alice = SSTPRelay.Registration(identityURL: "id://alice", deviceURL: "dpp://phone")
        let laptop = SSTPRelay.Registration(identityURL: "id://alice", deviceURL: "dpp://laptop")
        do {
            let store = try SSTPRelay.RelayStore(path: path)
            try await store.write(.init(register: [alice]))
            try await store.write(.init(register: [alice, laptop]))
        }
        #expect(try SSTPRelay.RelayStore(path: path).loadRegistrations() == [laptop, alice])
    }

    @Test func opensInWALWithSynchronousFull() throws {
        let store = try SSTPRelay.RelayStore(path: Self.temporaryPath())
        let pragmas = try store.pragmas()
        #expect(pragmas.journalMode == "wal")
        #expect(pragmas.synchronous == 2)
    }

    @Test func committedMessagesSurviveReopeningInOrderWithTheirFields() async throws {
        let path = Self.temporaryPath()
        let flags = SSTP.Message(
            sessionId: 0, track: true, acknowledgeImmediately: true, doNotDeliverIfOffline: true, userRef: "ref",
            ephemeral: .init(ttl: 60, hasReservedFields: true), streamSize: .init(byteStreamSize: 1, sessionSize: 2, messageSize: 3)
        )
        let now = NIODeadline.now()
        do {
            let store = try SSTPRelay.RelayStore(path: path)
            try await store.write(.init(insert: [Self.message(2), Self.message(1, flags, expiry: now + .seconds(60)), Self.message(3)]))
            try await store.write(.init(delete: [2]))
        }
        let reopened = try SSTPRelay.RelayStore(path: path)
        let loaded = try reopened.load()
        #expect(loaded.map(\.id) == [1, 3])
        #expect(loaded[0].message == flags)
        #expect(loaded[0].payload == Array("payload 1".utf8))
        let expiry = try #require(loaded[0].expiry)
        #expect(abs(Int64(expiry.uptimeNanoseconds) - Int64((now + .seconds(60)).uptimeNanoseconds)) < 1_000_000_000)
        #expect(loaded[1].expiry == nil)
    }

    @Test func concurrentWritesShareCommits() async throws {
        let store = try SSTPRelay.RelayStore(path: Self.temporaryPath())
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 1...400 { group.addTask { try await store.write(.init(insert: [Self.message(Int64(i))])) } }
            try await group.waitForAll()
        }
        let stats = store.commitStatistics
        #expect(stats.writes == 400)
        #expect(stats.batches < 400)
        #expect(try store.load().count == 400)
    }

    @Test func completionRunsAfterTheRowIsReadable() async throws {
        let path = Self.temporaryPath()
        let store = try SSTPRelay.RelayStore(path: path)
        try await store.write(.init(insert: [Self.message(7)]))
        // A second connection to the file sees the committed row.
        #expect(try SSTPRelay.RelayStore(path: path).load().map(\.id) == [7])
    }

    @Test func unopenableStoreSaysWhichPath() {
        #expect(throws: SSTPRelay.RelayStoreError.self) { try SSTPRelay.RelayStore(path: "/nonexistent-dir/x/relay.sqlite") }
    }
}
