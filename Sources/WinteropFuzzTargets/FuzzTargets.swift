import NIOCore
import WinteropWire

/// One decoder under fuzzing. The libFuzzer executables in `FuzzTesting/` and the
/// regression replay test (`Tests/FuzzRegressionTests`) both call ``run``, so a
/// crash the fuzzer finds is replayed by `swift test` once its input is saved under
/// `FuzzTesting/Regressions/<name>/`.
public struct FuzzTarget: Sendable {
    /// The target's name: its libFuzzer executable is `Fuzz<name>` and its regression folder `Regressions/<name>`.
    public let name: String
    /// Decodes `bytes`; must return normally for any input (a thrown WireError is a normal outcome).
    public let run: @Sendable ([UInt8]) -> Void

    public init(name: String, run: @escaping @Sendable ([UInt8]) -> Void) {
        self.name = name
        self.run = run
    }

    /// Every fuzz target; each protocol adds its decoders here.
    public static let all: [FuzzTarget] = [
        FuzzTarget(name: "WireTLV", run: WireFuzz.tlv),
        // MARK: mDNS targets
        FuzzTarget(name: "MDNSMessage", run: MDNSFuzz.message),
        // MARK: MS-MICE targets
        FuzzTarget(name: "MICEMessage", run: MICEFuzz.message),
        FuzzTarget(name: "MICEVendorExtension", run: MICEFuzz.vendorExtension),
        FuzzTarget(name: "DTLSRecordSplitter", run: DTLSFuzz.recordSplitter),
        FuzzTarget(name: "MICESinkMachine", run: MICEMachineFuzz.sink),
        FuzzTarget(name: "MICESourceMachine", run: MICEMachineFuzz.source),
        // MARK: Wi-Fi Display targets
        FuzzTarget(name: "RTSPMessage", run: WFDFuzz.rtspMessage),
        FuzzTarget(name: "RTPReceiver", run: WFDFuzz.rtpReceiver),
        FuzzTarget(name: "WFDSessionSequence", run: WFDSessionFuzz.sessionSequence),

        // MARK: MS-GRVSSTP targets
        FuzzTarget(name: "SSTPCommandStream", run: SSTPFuzz.commandStream),
        FuzzTarget(name: "SSTPCommandFramer", run: SSTPFuzz.commandFramer),
        FuzzTarget(name: "SSTPConnectionSequence", run: SSTPConnectionFuzz.sequence),
        FuzzTarget(name: "SSTPRelaySequence", run: SSTPRelayFuzz.sequence),
        FuzzTarget(name: "SSTPSpoolRecords", run: SSTPSpoolFuzz.records),

        // MARK: MS-TCC targets
        FuzzTarget(name: "TCCMessage", run: TCCFuzz.message),
        // MARK: MS-NFPS targets
        FuzzTarget(name: "NFPSHeaders", run: NFPSFuzz.headers),

        // MARK: MS-WDSMSI targets
        FuzzTarget(name: "WDSMSIUDPPacket", run: WDSMSIFuzz.udpPacket),
        FuzzTarget(name: "WDSCPacket", run: WDSMSIFuzz.wdscPacket),
        FuzzTarget(name: "WDSMSIServer", run: WDSMSIFuzz.server),

        // MARK: other protocols' targets
    ]

    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}

/// Fuzz entry points for the wire module.
enum WireFuzz {
    /// The first byte picks a TLV format, the rest is walked as items; every item's
    /// value must lie inside the input and the walk must end.
    @Sendable static func tlv(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let widths: [IntegerWidth] = [.one, .two, .four]
        let format = TLVFormat(
            typeWidth: widths[Int(selector & 0x03) % 3],
            lengthWidth: widths[Int((selector >> 2) & 0x03) % 3],
            endianness: selector & 0x10 == 0 ? .big : .little,
            minimumLength: Int(selector >> 5)
        )
        var iterator = TLVIterator(ByteBuffer(bytes: bytes.dropFirst()), format: format, reference: SpecReference("fuzz", "TLV"))
        var consumed = 0
        do {
            while let item = try iterator.next() {
                consumed += format.headerSize + item.value.readableBytes
                precondition(consumed <= bytes.count - 1, "TLV iterator read past the end")
                precondition(item.value.readableBytes >= format.minimumLength, "TLV shorter than the minimum")
            }
        } catch {
            // Malformed input is reported as a WireError: the expected outcome.
        }
        // Round trip what a reader accepts: NUL-terminated ASCII and UTF-16LE.
        var reader = WireReader(bytes: bytes, SpecReference("fuzz", "text"))
        if let text = try? reader.readNULTerminatedASCII(field: "text") {
            var out = ByteBuffer()
            precondition((try? out.writeNULTerminatedASCII(text)) != nil, "accepted ASCII did not re-encode")
        }
        if bytes.count % 2 == 0, let text = try? UTF16LE.decode(bytes, field: "text", SpecReference("fuzz", "text")) {
            _ = UTF16LE.encode(text)
        }
    }
}
