import Testing
@testable import WinteropMDNS

/// RFC 6762 14: what goes out on an interface names only that interface's addresses.
@Suite struct InterfaceAddressesTests {
    static let host = try! DNSName(["sink", "local"])
    static let lan: [UInt8] = [192, 168, 1, 5]
    static let bridge: [UInt8] = [172, 17, 0, 1]
    static let user: [UInt8] = [10, 0, 0, 9]
    static let map = MDNSInterfaceAddresses(byInterface: [2: [lan], 3: [bridge]])

    static func address(_ bytes: [UInt8]) -> DNSResourceRecord {
        DNSResourceRecord(name: host, cacheFlush: true, ttl: 120, data: .a(bytes))
    }

    static let srv = DNSResourceRecord(name: try! DNSName(["TV", "_display", "_tcp", "local"]), ttl: 120, data: .srv(priority: 0, weight: 0, port: 7250, target: host))

    @Test func addressesOfOtherInterfacesAreDropped() {
        let message = DNSMessage(header: DNSHeader(isResponse: true), answers: [Self.srv], additionals: [Self.address(Self.lan), Self.address(Self.bridge), Self.address(Self.user)])
        let onLAN = Self.map.restrict(message, toInterface: 2)
        #expect(onLAN.answers == [Self.srv])
        #expect(onLAN.additionals == [Self.address(Self.lan), Self.address(Self.user)])
        let onBridge = Self.map.restrict(message, toInterface: 3)
        #expect(onBridge.additionals == [Self.address(Self.bridge), Self.address(Self.user)])
    }

    @Test func unknownInterfaceOrNothingLeftKeepsTheMessage() {
        let message = DNSMessage(header: DNSHeader(isResponse: true), answers: [Self.address(Self.bridge)])
        #expect(Self.map.restrict(message, toInterface: nil) == message)
        #expect(Self.map.restrict(message, toInterface: 9) == message)
        #expect(Self.map.restrict(message, toInterface: 2) == message)
    }

    @Test func probesAreNotRestricted() {
        let probe = DNSMessage(header: DNSHeader(isResponse: false), questions: [DNSQuestion(name: Self.host, type: .any)],
                               authorities: [Self.address(Self.lan), Self.address(Self.bridge)])
        #expect(Self.map.restrict(probe, toInterface: 2) == probe)
    }
}
