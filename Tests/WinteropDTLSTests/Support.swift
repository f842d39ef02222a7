import Testing
@testable import WinteropDTLS

/// A client and a server endpoint that exchange records in memory, each record in its
/// own payload (as the MS-MICE layer sends each in its own SECURITY_HANDSHAKE message).
struct EndpointPair {
    let client: DTLSEndpoint
    let server: DTLSEndpoint
    /// Every record each side sent, in order.
    var clientRecords: [[UInt8]] = []
    var serverRecords: [[UInt8]] = []

    init(client: DTLSConfiguration = DTLSConfiguration(role: .client),
         server: DTLSConfiguration = DTLSConfiguration(role: .server, certificate: TestCertificates.shared)) throws {
        self.client = try DTLSEndpoint(client)
        self.server = try DTLSEndpoint(server)
    }

    /// Runs the whole handshake; checks every element of every `send` is exactly one record.
    mutating func handshake() throws {
        #expect(try server.start() == .inProgress(send: []))
        let hello = try client.start().send
        let (clientSent, serverSent) = try completeHandshake(client: client, server: server, clientFlight: hello)
        clientRecords = hello + clientSent
        serverRecords = serverSent
    }
}

/// Shuttles records one per payload until both sides complete; returns what each sent
/// (the client's part without `clientFlight`). Checks every `send` element is one record.
@discardableResult
func completeHandshake(client: DTLSEndpoint, server: DTLSEndpoint, clientFlight: [[UInt8]]) throws -> (client: [[UInt8]], server: [[UInt8]]) {
    var clientSent: [[UInt8]] = []
    var serverSent: [[UInt8]] = []
    var toServer = clientFlight
    var rounds = 0
    while !(client.isHandshakeComplete && server.isHandshakeComplete) {
        rounds += 1
        try #require(rounds < 10, "handshake did not converge")
        var toClient: [[UInt8]] = []
        for record in toServer {
            try expectOneRecord(record)
            toClient += try server.receiveHandshake(record).send
        }
        serverSent += toClient
        toServer = []
        for record in toClient {
            try expectOneRecord(record)
            toServer += try client.receiveHandshake(record).send
        }
        clientSent += toServer
    }
    #expect(toServer.isEmpty)
    return (clientSent, serverSent)
}

func expectOneRecord(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws {
    let records = try DTLSRecordSplitter.split(bytes)
    #expect(records.count == 1, "a send element holds \(records.count) records", sourceLocation: sourceLocation)
    #expect(records.first?.bytes.count == bytes.count, sourceLocation: sourceLocation)
}

enum TestCertificates {
    /// One generated certificate for the whole suite (key generation is not what is tested).
    static let shared: DTLSCertificate = {
        do {
            return try DTLSCertificate.selfSigned(commonName: "winterop test sink")
        } catch {
            fatalError("cannot generate the test certificate: \(error)")
        }
    }()
}

/// Little helpers to build record bytes by hand.
func recordBytes(type: UInt8, version: UInt16 = 0xFEFD, epoch: UInt16 = 0, sequence: UInt64 = 0, fragment: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = [type, UInt8(version >> 8), UInt8(version & 0xFF), UInt8(epoch >> 8), UInt8(epoch & 0xFF)]
    for shift in stride(from: 40, through: 0, by: -8) {
        bytes.append(UInt8((sequence >> UInt64(shift)) & 0xFF))
    }
    bytes += [UInt8(fragment.count >> 8), UInt8(fragment.count & 0xFF)]
    return bytes + fragment
}
