import Foundation
import WinteropTransport
import WinteropWire

/// `--psk FILE`: the pre-shared key (hex, 16 to 256 bytes) in a file only its owner can read.
public struct TLSPSKKey: Sendable {
    public static let identity = "winterop-tcc"
    public let bytes: [UInt8]

    public static func load(_ path: String) throws(RoleFailure) -> TLSPSKKey {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let attributes, let data = FileManager.default.contents(atPath: path) else {
            throw .usage("--psk: cannot read '\(path)'")
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        guard mode & 0o077 == 0 else {
            throw .usage("--psk: '\(path)' can be read or written by others (mode \(String(mode, radix: 8))); run chmod 600 \(path)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Hex.decode(text), (16...256).contains(bytes.count) else {
            throw .usage("--psk: '\(path)' must hold the key as 32 to 512 hexadecimal digits (16 to 256 bytes)")
        }
        return TLSPSKKey(bytes: bytes)
    }
}
