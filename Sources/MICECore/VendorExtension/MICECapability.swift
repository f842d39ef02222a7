import WinteropWire
import WinteropFormat

/// The Capability attribute's CapabilityInfo byte (2.2.8.1). With bit 0 as the most
/// significant bit (DESIGN.md): A MiracastOverInfrastructureSupport = 0x01,
/// B StreamEncryptionSupported = 0x02, C Version = bits 0x1C, D PinSupported = 0x20,
/// X reserved = 0xC0. Example 4.1's 0x05 is Version 1 with A set.
public struct MICECapability: Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A capability byte with `version` and the given support bits; PIN support
    /// needs stream encryption (2.2.8.1) and is dropped without it.
    public init(miracastOverInfrastructure: Bool = true, streamEncryption: Bool, pin: Bool, version: UInt8 = 1) {
        var raw: UInt8 = (version & 0x07) << 2
        if miracastOverInfrastructure { raw |= 0x01 }
        if streamEncryption { raw |= 0x02 }
        if pin && streamEncryption { raw |= 0x20 }
        self.rawValue = raw
    }

    /// A: the sink supports Miracast over Infrastructure.
    public var miracastOverInfrastructureSupport: Bool { rawValue & 0x01 != 0 }
    /// B: StreamEncryptionSupported (3.1.3 also calls it StreamSecuritySupported).
    public var streamEncryptionSupported: Bool { rawValue & 0x02 != 0 }
    /// C: the protocol version.
    public var version: UInt8 { (rawValue >> 2) & 0x07 }
    /// D: PinSupported, which counts only when B is set ("otherwise it is implicitly set to 0").
    public var pinSupported: Bool { rawValue & 0x20 != 0 && streamEncryptionSupported }

    public var description: String {
        var parts = ["version \(version)"]
        if miracastOverInfrastructureSupport { parts.append("Miracast over Infrastructure") }
        if streamEncryptionSupported { parts.append("stream encryption") }
        if pinSupported { parts.append("PIN") }
        return parts.joined(separator: ", ")
    }

    var json: JSONValue {
        .object([
            ("value", .integer(rawValue)),
            ("miracastOverInfrastructureSupport", .bool(miracastOverInfrastructureSupport)),
            ("streamEncryptionSupported", .bool(streamEncryptionSupported)),
            ("version", .integer(version)),
            ("pinSupported", .bool(pinSupported)),
        ])
    }
}
