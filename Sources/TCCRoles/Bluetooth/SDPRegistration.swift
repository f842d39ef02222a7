import Foundation
import NIOConcurrencyHelpers
import TCCCore
import WinteropWire

/// Registers the tethering service record (MS-TCC 2.1) with BlueZ's local SDP server, the
/// Unix socket `/var/run/sdp` that `bluetoothd --compat` (-C) offers, and keeps the socket
/// open: BlueZ removes a record when the socket that registered it closes.
final class SDPRegistration: Sendable {
    static let socketPaths = ["/run/sdp", "/var/run/sdp"]
    private let fd = NIOLockedValueBox<CInt>(-1)

    /// Registers; returns nil on success, else why it could not.
    func register(channel: UInt8) -> String? {
        guard let path = Self.socketPaths.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            return "BlueZ's SDP socket (/run/sdp) is missing; run bluetoothd with --compat (-C) so the record can be registered"
        }
        let socket = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { return "cannot open a Unix socket: \(String(cString: strerror(errno)))" }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(socket)
            return "cannot reach BlueZ's SDP server at \(path): \(reason)"
        }
        do {
            let request = try SDPPDU.register(TCCServiceRecord(channel: channel).element, transaction: 1)
            let response = try Self.exchange(socket, request)
            _ = try response.registeredHandle()
        } catch {
            close(socket)
            return "BlueZ did not register the SDP record: \(error)"
        }
        fd.withLockedValue { $0 = socket }
        return nil
    }

    /// Removes the record (by closing the registering socket).
    func unregister() {
        let socket = fd.withLockedValue { value -> CInt in defer { value = -1 }; return value }
        if socket >= 0 { close(socket) }
    }

    /// Sends one PDU and reads one answer on a blocking socket.
    static func exchange(_ socket: CInt, _ request: SDPPDU) throws -> SDPPDU {
        let bytes = request.encoded()
        let sent = bytes.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw SDPError("cannot send to the SDP server: \(String(cString: strerror(errno)))") }
        var buffer = [UInt8](repeating: 0, count: 65_540)
        let received = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard received > 0 else { throw SDPError("no answer from the SDP server: \(String(cString: strerror(errno)))") }
        return try SDPPDU.decode(Array(buffer.prefix(received)))
    }
}

struct SDPError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
