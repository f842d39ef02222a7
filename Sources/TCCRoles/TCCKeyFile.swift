import Foundation
import TCCCore
import WinteropTransport
import WinteropWire

/// `--keys FILE`: K1, K2 and K3 of the unpaired flow (1.5) as the JSON object
/// `{"k1":"<64 hex>","k2":"<64 hex>","k3":"<64 hex>"}`, in a file only its owner can
/// read or write (mode 0600 or stricter); anything looser is refused.
public enum TCCKeyFile {
    public static func load(_ path: String) throws(RoleFailure) -> UnpairedKeys {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw .usage("--keys: cannot read '\(path)': no such file or no permission")
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        guard mode & 0o077 == 0 else {
            throw .usage("--keys: '\(path)' can be read or written by others (mode \(String(mode, radix: 8))); the keys are secrets: run chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .usage("--keys: cannot read '\(path)'")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .usage("--keys: '\(path)' is not a JSON object like {\"k1\":\"<64 hex>\",\"k2\":\"<64 hex>\",\"k3\":\"<64 hex>\"}")
        }
        func key(_ name: String) throws(RoleFailure) -> [UInt8] {
            guard let text = object[name] as? String, let bytes = Hex.decode(text), bytes.count == 32 else {
                throw .usage("--keys: '\(path)' needs \"\(name)\": 64 hexadecimal digits (a 256-bit key, MS-TCC 1.5)")
            }
            return bytes
        }
        guard let keys = UnpairedKeys(k1: try key("k1"), k2: try key("k2"), k3: try key("k3")) else {
            throw .usage("--keys: each key must be 32 bytes")
        }
        return keys
    }
}
