import CWinteropBluetooth
import Foundation
import WinteropTransport

/// Linux's AF_BLUETOOTH RFCOMM sockets (through the CWinteropBluetooth shim), with errors
/// people can act on.
enum Bluetooth {
    /// The sentence for a kernel or machine without Bluetooth.
    static let unavailable = "Bluetooth is unavailable on this machine (the kernel offers no AF_BLUETOOTH RFCOMM sockets, or there is no adapter); use --transport tcp:HOST:PORT instead"

    /// Throws a usage failure (exit status 2) unless RFCOMM sockets can be made.
    static func requireAvailable() throws(RoleFailure) {
        let result = wo_bluetooth_available()
        guard result == 0 else { throw .usage(describe(-result, doing: "open an RFCOMM socket")) }
    }

    /// A new RFCOMM socket requiring an authenticated, encrypted link (2.1, 5.1).
    static func socket() throws(RoleFailure) -> CInt {
        let fd = wo_rfcomm_socket()
        guard fd >= 0 else { throw .usage(describe(-fd, doing: "open an RFCOMM socket")) }
        return fd
    }

    static func describe(_ code: CInt, doing what: String) -> String {
        switch code {
        case EAFNOSUPPORT, EPROTONOSUPPORT, ESOCKTNOSUPPORT: return unavailable
        case ENODEV, EHOSTDOWN: return "no Bluetooth adapter is up (cannot \(what)); power one on with bluetoothctl power on, or use --transport tcp:HOST:PORT"
        case EACCES, EPERM: return "permission denied to \(what) (run as a user allowed to use Bluetooth)"
        case EADDRINUSE: return "that RFCOMM channel is already in use; choose another with --transport rfcomm:CHANNEL"
        default: return "cannot \(what): \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}
