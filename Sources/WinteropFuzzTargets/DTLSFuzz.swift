import WinteropDTLS

/// Fuzz entry points for the MS-MICE DTLS tunnel (WinteropDTLS).
enum DTLSFuzz {
    /// One certificate for every run: key generation is not under test.
    static let certificate = try? DTLSCertificate.selfSigned(commonName: "winterop fuzz")

    /// An established pair, reused across runs (libFuzzer and the regression replay call
    /// targets from one thread); rebuilt when a run left it failed or closed.
    nonisolated(unsafe) static var established: (client: DTLSEndpoint, server: DTLSEndpoint)?

    /// The first byte picks what the rest is fed to:
    /// 0: the record splitter and a fresh server's `receiveHandshake` (a ClientHello slot);
    /// 1: a started client's `receiveHandshake` (a server flight slot);
    /// 2: an established server's `open`;
    /// 3: a real sealed record XOR-ed with the input, then `open`.
    /// Every outcome must be a value or a `DTLSError`; every record emitted must be whole.
    @Sendable static func recordSplitter(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let payload = Array(bytes.dropFirst())
        checkSplit(payload)
        switch selector % 4 {
        case 0:
            guard let server = try? DTLSEndpoint(DTLSConfiguration(role: .server, certificate: certificate)) else { return }
            if let result = try? server.receiveHandshake(payload) { result.send.forEach(checkOneRecord) }
        case 1:
            guard let client = try? DTLSEndpoint(DTLSConfiguration(role: .client)), (try? client.start()) != nil else { return }
            if let result = try? client.receiveHandshake(payload) { result.send.forEach(checkOneRecord) }
        case 2:
            guard let pair = establishedPair() else { return }
            _ = try? pair.server.open(payload)
            recycleIfUnusable(pair)
        default:
            guard let pair = establishedPair(), var record = try? pair.client.seal(Array("fuzz".utf8)) else { return }
            let untouched = payload.count <= record.count && payload.allSatisfy { $0 == 0 }
            for (index, byte) in payload.enumerated() where index < record.count {
                record[index] ^= byte
            }
            if payload.count > record.count { record += payload[record.count...] }
            let opened = try? pair.server.open(record)
            if untouched {
                precondition(opened == Array("fuzz".utf8), "an untouched sealed record did not open")
            }
            recycleIfUnusable(pair)
        }
    }

    static func checkSplit(_ payload: [UInt8]) {
        guard let records = try? DTLSRecordSplitter.split(payload) else { return }
        var total = 0
        for record in records {
            precondition(record.bytes.count == DTLSRecordHeader.size + record.header.length, "record size disagrees with its header")
            precondition(record.bytes.startIndex == total, "records are not contiguous")
            total += record.bytes.count
        }
        precondition(total == payload.count, "split did not cover the payload exactly")
    }

    static func checkOneRecord(_ record: [UInt8]) {
        let records = try? DTLSRecordSplitter.split(record)
        precondition(records?.count == 1, "a send element is not exactly one record")
    }

    static func establishedPair() -> (client: DTLSEndpoint, server: DTLSEndpoint)? {
        if let pair = established { return pair }
        guard let client = try? DTLSEndpoint(DTLSConfiguration(role: .client)),
              let server = try? DTLSEndpoint(DTLSConfiguration(role: .server, certificate: certificate)),
              var toServer = try? client.start().send
        else { return nil }
        for _ in 0..<6 where !(client.isHandshakeComplete && server.isHandshakeComplete) {
            var toClient: [[UInt8]] = []
            for record in toServer {
                guard let result = try? server.receiveHandshake(record) else { return nil }
                toClient += result.send
            }
            toServer = []
            for record in toClient {
                guard let result = try? client.receiveHandshake(record) else { return nil }
                toServer += result.send
            }
        }
        guard client.isHandshakeComplete, server.isHandshakeComplete else { return nil }
        established = (client, server)
        return established
    }

    static func recycleIfUnusable(_ pair: (client: DTLSEndpoint, server: DTLSEndpoint)) {
        if !pair.server.isHandshakeComplete || !pair.client.isHandshakeComplete {
            established = nil
        }
    }
}
