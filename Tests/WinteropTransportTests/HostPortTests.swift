import Testing
import WinteropTransport

@Suite struct HostPortTests {
    @Test func hostAndPort() throws {
        #expect(try HostPort(parsing: "127.0.0.1:7250", defaultPort: nil) == HostPort(host: "127.0.0.1", port: 7250))
        #expect(try HostPort(parsing: "example.local", defaultPort: 7250) == HostPort(host: "example.local", port: 7250))
        #expect(try HostPort(parsing: "[::1]:0", defaultPort: nil) == HostPort(host: "::1", port: 0))
        #expect(try HostPort(parsing: "[fe80::1]", defaultPort: 2492) == HostPort(host: "fe80::1", port: 2492))
        #expect(try HostPort(parsing: "::1", defaultPort: 5041) == HostPort(host: "::1", port: 5041))
    }

    @Test(arguments: ["", ":80", "host:", "host:65536", "host:-1", "host:port", "[::1", "[::1]x80"])
    func rejects(_ text: String) {
        #expect(throws: HostPortError.self) { try HostPort(parsing: text, defaultPort: 1) }
    }

    @Test func portRequiredWithoutDefault() {
        #expect(throws: HostPortError.self) { try HostPort(parsing: "127.0.0.1", defaultPort: nil) }
    }

    @Test func description() {
        #expect(HostPort(host: "::1", port: 5).description == "[::1]:5")
        #expect(HostPort(host: "10.0.0.1", port: 5).description == "10.0.0.1:5")
    }
}
