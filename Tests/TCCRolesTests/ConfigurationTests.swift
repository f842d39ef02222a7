import TCCCore
import TCCRoles
import Testing
import WinteropTransport

/// `--provider` and `--transport` parsing, without processes.
@Suite struct ConfigurationTests {
    @Test func staticProviderWithEscapedComma() throws {
        let provider = try TetheringProviderSpec.parse(#"static:ssid=Cafe\, upstairs,passphrase=a\\b\,cdefgh,display-name=Phone"#, environment: [:])
        let settings = try #require((provider as? StaticProvider)?.settings)
        #expect(settings.ssid.text == "Cafe, upstairs")
        #expect(settings.passphrase.text == #"a\b,cdefgh"#)
        #expect(settings.bssid == nil)
    }

    @Test func failProviderByNameOrNumber() throws {
        let byName = try #require(try TetheringProviderSpec.parse("fail:status=RoamingNotAllowed", environment: [:]) as? FailProvider)
        #expect(byName.failure.statusCode == .roamingNotAllowed)
        #expect(byName.failure.errorString == nil)
        let byNumber = try #require(try TetheringProviderSpec.parse("fail:status=200,error=later", environment: [:]) as? FailProvider)
        #expect(byNumber.failure.statusCode.rawValue == 200)
        #expect(byNumber.failure.errorString == "later")
    }

    @Test func providerMistakesNameTheParameter() {
        for (text, message) in [
            ("static:ssid=x,ssid=y,passphrase=12345678,display-name=n", "given twice"),
            ("static:ssid=x,passphrase=12345678,display-name=n,colour=red", "unknown parameter 'colour'"),
            ("static:ssid", "is not key=value"),
            ("fail:status=1,delay=soon", "delay must be a number"),
        ] {
            #expect {
                _ = try TetheringProviderSpec.parse(text, environment: [:])
            } throws: { error in
                (error as? RoleFailure)?.status == 2 && (error as? RoleFailure)?.message.contains(message) == true
            }
        }
    }

    @Test func transports() throws {
        #expect(try TCCTransport(parsing: "tcp:127.0.0.1:7260", server: true) == .tcp(HostPort(host: "127.0.0.1", port: 7260)))
        #expect(try TCCTransport(parsing: "tcp:localhost", server: false) == .tcp(HostPort(host: "localhost", port: TCCTransport.defaultTCPPort)))
        #expect(try TCCTransport(parsing: "rfcomm:12", server: true) == .rfcomm(address: nil, channel: 12))
        #expect(try TCCTransport(parsing: "rfcomm:00:1a:7d:da:71:13/4", server: false) == .rfcomm(address: BluetoothAddress("00:1A:7D:DA:71:13"), channel: 4))
        #expect(try TCCTransport(parsing: "rfcomm:00:1a:7d:da:71:13", server: false).description == "rfcomm:00:1A:7D:DA:71:13")
        #expect(throws: RoleFailure.self) { try TCCTransport(parsing: "rfcomm:0", server: true) }
        #expect(throws: RoleFailure.self) { try TCCTransport(parsing: "rfcomm:00:1a:7d:da:71:13/99", server: false) }
    }
}
