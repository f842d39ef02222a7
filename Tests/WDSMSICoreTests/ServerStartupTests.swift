import Testing
import WDSMSICore

/// 3.1.3 Initialization: what makes the server refuse to start.
@Suite struct ServerStartupTests {
    @Test func aNamespaceWhoseProviderIsMissingRefusesToStart() {
        var configuration = ServerHarness.configuration()
        configuration.namespaces.append(.init(name: "x", contentProvider: "nobody", configurationString: "set-a"))
        #expect(throws: StartupError.missingProvider(namespace: "x", provider: "nobody")) { try ServerHarness.server(configuration) }
        #expect(StartupError.missingProvider(namespace: "x", provider: "nobody").description.contains("'nobody', which is not registered"))
    }

    @Test func aProviderThatCannotServeItsConfigurationStringRefusesToStart() {
        var configuration = ServerHarness.configuration()
        configuration.namespaces.append(.init(name: "x", contentProvider: "memory", configurationString: "set-z"))
        #expect(throws: StartupError.providerFailed(namespace: "x", provider: "memory", message: "no content set called 'set-z'")) {
            try ServerHarness.server(configuration)
        }
    }

    /// 3.1.5.1's table is the only set of pairs accepted.
    @Test(arguments: SecurityMode.allCases.flatMap { s in SecurityMode.allCases.map { SecurityModes(server: s, client: $0) } })
    func securityModePairs(_ modes: SecurityModes) {
        let configuration = ServerHarness.configuration(modes: modes)
        let supported: Set<SecurityModes> = [
            SecurityModes(server: .sign, client: .hash), SecurityModes(server: .hash, client: .hash),
            SecurityModes(server: .checksum, client: .checksum), SecurityModes(server: .none, client: .none),
        ]
        if supported.contains(modes) {
            #expect(throws: Never.self) { try ServerHarness.server(configuration) }
        } else {
            #expect(throws: StartupError.unsupportedSecurityModes(modes)) { try ServerHarness.server(configuration) }
        }
    }

    @Test func keysTheModesNeedMustBeThere() {
        var configuration = ServerHarness.configuration(modes: SecurityModes(server: .sign, client: .hash))
        configuration.keys.signKey = nil
        #expect(throws: StartupError.self) { try ServerHarness.server(configuration) }
        configuration = ServerHarness.configuration(modes: SecurityModes(server: .hash, client: .hash))
        configuration.keys.hashKey = nil
        #expect(throws: StartupError.self) { try ServerHarness.server(configuration) }
        configuration = ServerHarness.configuration(modes: SecurityModes(server: .none, client: .none))
        configuration.keys = .init()
        #expect(throws: Never.self) { try ServerHarness.server(configuration) }
    }

    @Test func duplicatesAndBadRangesRefuseToStart() {
        var configuration = ServerHarness.configuration()
        configuration.namespaces.append(.init(name: "IMAGES", contentProvider: "memory", configurationString: "set-a"))
        #expect(throws: StartupError.duplicateNamespace("IMAGES")) { try ServerHarness.server(configuration) }
        configuration = ServerHarness.configuration(multicast: MulticastConfiguration(ipv4Range: AddressRange("10.0.0.0/8")!))
        #expect(throws: StartupError.invalidMulticastRange("10.0.0.0/8")) { try ServerHarness.server(configuration) }
        configuration = ServerHarness.configuration(multicast: MulticastConfiguration(ipv4Range: AddressRange("224.0.0.0/3")!))
        #expect(throws: StartupError.invalidMulticastRange("224.0.0.0/3")) { try ServerHarness.server(configuration) }
        configuration = ServerHarness.configuration(multicast: MulticastConfiguration(ipv6Range: AddressRange("2001:db8::/32")!))
        #expect(throws: StartupError.self) { try ServerHarness.server(configuration) }
        configuration = ServerHarness.configuration(multicast: MulticastConfiguration(blockSize: 0))
        #expect(throws: StartupError.invalidBlockSize) { try ServerHarness.server(configuration) }
    }
}
