import CWinteropBluetooth
import Foundation
import TCCCore
import WinteropTransport

/// Finds a tethering server's RFCOMM channel by SDP (MS-TCC 2.1): a
/// ServiceSearchAttributeRequest for the service GUID over L2CAP PSM 1, following
/// continuation states until the attribute lists are complete.
enum SDPSearch {
    static func channel(of address: BluetoothAddress) throws(RoleFailure) -> UInt8 {
        let fd = address.bytes.withUnsafeBufferPointer { wo_l2cap_connect_sdp($0.baseAddress, 5) }
        guard fd >= 0 else {
            throw .peer("tcc request: " + Bluetooth.describe(-fd, doing: "reach the SDP server of \(address)"))
        }
        defer { close(fd) }
        var lists: [UInt8] = []
        var continuation: [UInt8] = []
        do {
            for transaction in UInt16(1)...64 {
                let request = try SDPPDU.searchAttributes(uuid: TCCServiceRecord.serviceUUID, transaction: transaction, continuation: continuation)
                let response = try SDPRegistration.exchange(fd, request)
                let part = try response.searchAttributesResponse()
                lists += part.attributeLists
                continuation = part.continuation
                if continuation.isEmpty { break }
            }
            guard let channel = try SDPPDU.channel(inAttributeLists: lists) else {
                throw SDPError("\(address) offers no tethering service (no SDP record of {\(TCC.serviceUUID)})")
            }
            return channel
        } catch let failure as RoleFailure {
            throw failure
        } catch {
            throw .peer("tcc request: SDP search of \(address) failed: \(error)")
        }
    }
}
