import NIOConcurrencyHelpers
import NIOCore
import Testing
import WinteropTransport
import WinteropWire

@Suite struct EventLogTests {
    final class Lines: Sendable {
        let box = NIOLockedValueBox<[String]>([])
        var all: [String] { box.withLockedValue { $0 } }
    }

    @Test func jsonEventsAreOneObjectPerLineWithEventFirst() throws {
        let lines = Lines()
        let log = EventLog(json: true) { line in lines.box.withLockedValue { $0.append(line) } }
        log.emit("message", [("size", .int(3)), ("name", .string("a\"b\n"))])
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 4242)
        log.listening(service: "sstp-listen", address: address)
        #expect(lines.all == [
            #"{"event":"message","size":3,"name":"a\"b\n"}"#,
            #"{"event":"listening","service":"sstp-listen","host":"127.0.0.1","port":4242}"#,
        ])
    }

    @Test func textEventsUseTheGivenLineOrKeyValues() throws {
        let lines = Lines()
        let log = EventLog(json: false) { line in lines.box.withLockedValue { $0.append(line) } }
        log.emit("closed", [("reason", .string("timeout")), ("count", .int(2))])
        log.emit("pin_displayed", [("pin", .string("12345678"))], text: "PIN: 12345678")
        log.listening(service: "mice-sink", address: try SocketAddress(ipAddress: "::1", port: 7250))
        #expect(lines.all == ["closed reason=timeout count=2", "PIN: 12345678", "mice-sink listening on [::1]:7250"])
    }
}
