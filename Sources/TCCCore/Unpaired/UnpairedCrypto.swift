import Crypto
import CryptoExtras
import Foundation
import NIOCore
import WinteropWire

/// The cryptography of revision 10.0's unpaired flow, read as DESIGN.md records:
/// - request HMAC (2.2.3.1): HMAC-SHA-256 under K1 over the 8 Timestamp bytes;
/// - response (2.2.3.3): the complete BringUpSuccessResponse message (header included)
///   encrypted with AES-256-CBC and PKCS#7 padding under K2 with a random IV, and
///   HMAC-SHA-256 under K3 over IV ‖ ciphertext ‖ the client's 8 Timestamp bytes.
/// Every comparison of an HMAC is constant-time (swift-crypto's `isValidAuthenticationCode`).
public enum UnpairedCrypto {
    /// The HMAC a client puts in its BringUpStartRequest.
    public static func requestHMAC(timestamp: FileTime, keys: UnpairedKeys) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: timestamp.bytes, using: keys.k1))
    }

    /// The request a client sends at `now` (3.1.3).
    public static func authenticatedRequest(now: FileTime, keys: UnpairedKeys) -> BringUpStartRequest {
        BringUpStartRequest(authentication: .init(timestamp: now, hmac: requestHMAC(timestamp: now, keys: keys)))
    }

    /// Whether a request's HMAC is the one K1 gives for its Timestamp (3.2.5.1), in constant time.
    public static func isValid(_ authentication: BringUpStartRequest.Authentication, keys: UnpairedKeys) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(authentication.hmac, authenticating: authentication.timestamp.bytes, using: keys.k1)
    }

    /// The bytes the response HMAC covers.
    static func responseMAC(iv: [UInt8], ciphertext: [UInt8], clientTimestamp: FileTime) -> [UInt8] {
        iv + ciphertext + clientTimestamp.bytes
    }

    /// Encrypts and authenticates a success response for the client whose request
    /// carried `clientTimestamp` (3.2.4.2). `iv` is 16 fresh random bytes from the shell.
    public static func seal(
        _ response: BringUpSuccessResponse, clientTimestamp: FileTime, iv: [UInt8], keys: UnpairedKeys
    ) throws -> BringUpSuccessResponseUnpaired {
        let plaintext = try response.encoded()
        let ciphertext = Array(try AES._CBC.encrypt(plaintext, using: keys.k2, iv: AES._CBC.IV(ivBytes: iv)))
        let mac = HMAC<SHA256>.authenticationCode(
            for: responseMAC(iv: iv, ciphertext: ciphertext, clientTimestamp: clientTimestamp), using: keys.k3)
        return BringUpSuccessResponseUnpaired(hmac: Array(mac), initializationVector: iv, encryptedResponse: ciphertext)
    }

    /// Why an unpaired response was refused (3.1.5.2).
    public enum OpenError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The HMAC under K3 does not match: wrong keys, or the message was altered or replayed.
        case hmacMismatch
        /// The ciphertext does not decrypt under K2 (length or padding).
        case decryptionFailed
        /// The plaintext is not a valid BringUpSuccessResponse.
        case invalidPlaintext(WireError)

        public var description: String {
            switch self {
            case .hmacMismatch: return "MS-TCC 3.1.5.2: the BringUpSuccessResponseUnpaired HMAC does not match (wrong K3, or the response was altered or is not for this request's Timestamp)"
            case .decryptionFailed: return "MS-TCC 2.2.2.4: the encrypted response does not decrypt under K2 (wrong key, or its length or padding is invalid)"
            case .invalidPlaintext(let error): return "MS-TCC 3.1.5.2: the decrypted response is not a BringUpSuccessResponse: \(error)"
            }
        }
    }

    /// Verifies the HMAC first, then decrypts and reprocesses the payload as a
    /// BringUpSuccessResponse (3.1.5.2).
    public static func open(
        _ message: BringUpSuccessResponseUnpaired, clientTimestamp: FileTime, keys: UnpairedKeys
    ) throws(OpenError) -> BringUpSuccessResponse {
        let covered = responseMAC(iv: message.initializationVector, ciphertext: message.encryptedResponse, clientTimestamp: clientTimestamp)
        guard HMAC<SHA256>.isValidAuthenticationCode(message.hmac, authenticating: covered, using: keys.k3) else {
            throw .hmacMismatch
        }
        let plaintext: Data
        do {
            guard !message.encryptedResponse.isEmpty, message.encryptedResponse.count % 16 == 0 else { throw OpenError.decryptionFailed }
            plaintext = try AES._CBC.decrypt(message.encryptedResponse, using: keys.k2, iv: AES._CBC.IV(ivBytes: message.initializationVector))
        } catch {
            throw .decryptionFailed
        }
        do throws(WireError) {
            let frame = try TCCFrame.decode(plaintext)
            guard frame.messageId == .bringUpSuccessResponse else {
                throw TCC.section("2.2.2.4").error("the encrypted message has MessageId \(frame.id), not BringUpSuccessResponse (2)")
            }
            return try BringUpSuccessResponse.decode(payload: frame.payload)
        } catch {
            throw .invalidPlaintext(error)
        }
    }

    /// Whether a request's Timestamp lies within `maximumSkew` of the server's clock (3.2.5.1).
    public static func isWithinSkew(_ timestamp: FileTime, now: FileTime, maximumSkew: Duration) -> Bool {
        let (seconds, attoseconds) = maximumSkew.components
        let ticks = Int128(seconds) * 10_000_000 + Int128(attoseconds) / 100_000_000_000
        return Int128(timestamp.distance(to: now)) <= ticks
    }
}
