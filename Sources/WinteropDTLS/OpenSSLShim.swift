import CWinteropOpenSSL

/// A reusable buffer for the shim's error messages (each fallible C call takes one).
struct ShimErrorBuffer: ~Copyable {
    static let capacity = 2048
    let pointer: UnsafeMutablePointer<CChar>

    init() {
        pointer = .allocate(capacity: Self.capacity)
        pointer.initialize(repeating: 0, count: Self.capacity)
    }

    deinit { pointer.deallocate() }

    /// The message the last failing call wrote.
    var message: String {
        pointer[Self.capacity - 1] = 0
        return String(cString: pointer)
    }

    /// Runs `body` with a fresh, empty buffer; returns the body's result.
    static func with<R>(_ body: (UnsafeMutablePointer<CChar>, Int) -> R) -> (R, String) {
        let buffer = ShimErrorBuffer()
        buffer.pointer[0] = 0
        let result = body(buffer.pointer, capacity)
        return (result, buffer.message)
    }
}

/// The bare OpenSSL floor for benchmarks: a complete DTLS 1.2 handshake between two SSL
/// objects over memory BIOs, entirely in C (whole flights moved as one datagram each, no
/// record splitting, no Swift in the loop). With `certificate` nil, the C side generates one.
public func bareOpenSSLDTLSHandshake(
    certificate: DTLSCertificate? = nil,
    srtpProfiles: String? = DTLSConfiguration.defaultSRTPProfiles
) throws(DTLSError) {
    let (status, message) = ShimErrorBuffer.with { error, capacity in
        let certificatePointer = certificate?.handle.pointer
        if let srtpProfiles {
            return srtpProfiles.withCString { wo_dtls_bare_handshake(certificatePointer, $0, error, capacity) }
        }
        return wo_dtls_bare_handshake(certificatePointer, nil, error, capacity)
    }
    if status != 1 {
        throw DTLSError(.handshakeFailed, message)
    }
}

/// The microseconds OpenSSL's DTLS retransmission timer starts at for every flight
/// (the shim's `DTLS_set_timer_cb` callback): an hour, so a flight is never resent over
/// the TCP tunnel.
public var dtlsInitialRetransmissionTimerMicroseconds: UInt32 {
    UInt32(wo_dtls_initial_timer_us())
}
