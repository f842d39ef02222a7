import Foundation
import Testing
import WinteropTestSupport

/// `winterop serve`: every server role at once, one `listening` event each, and a clean
/// stop on SIGINT and SIGTERM.
@Suite struct ServeTests {
    static let roles = ["mice-sink", "sstp-device", "sstp-relay"]
    /// Roles on UDP: moved to port 0 too, so a test never takes a real port.
    static let datagramRoles = ["wds-server"]

    func startServe(data: String) throws -> WinteropProcess {
        var arguments = ["serve", "--json", "--data", data]
        for role in Self.roles + Self.datagramRoles { arguments += ["--listen", "\(role)=127.0.0.1:0"] }
        // The sink's mDNS advertisement is exercised by the MS-MICE tests.
        arguments += ["--no-advertise"]
        return try WinteropProcess.winterop(arguments)
    }

    func temporaryDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("winterop-serve-\(UUID().uuidString)").path
        return path
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func servesEveryRoleAndStopsCleanly(_ signal: Int32) async throws {
        let data = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let serve = try startServe(data: data)
        for role in Self.roles {
            let port = await serve.listeningPort(service: role)
            #expect(port != nil && port != 0, "no listening event for \(role): \(serve.lines) \(serve.stderr)")
        }
        // Each role really listens: a TCP connection to its port is accepted.
        for role in Self.roles {
            guard let port = serve.event("listening", where: { $0["service"] as? String == role })?["port"] as? Int else { continue }
            #expect(try Self.canConnect(port: port), "\(role) does not accept on \(port)")
        }
        kill(serve.process.processIdentifier, signal)
        let status = await serve.waitForExit()
        #expect(status == 0, "serve exited with \(String(describing: status)): \(serve.stderr)")
        #expect(serve.events().last == "stopped")
        // The data directory was created and the sink's container id persisted in it.
        #expect(FileManager.default.fileExists(atPath: data + "/mice/container-id"))
    }

    @Test func unknownRoleInListenIsUsageError() async throws {
        let serve = try WinteropProcess.winterop(["serve", "--listen", "nope=127.0.0.1:0", "--data", temporaryDirectory()])
        #expect(await serve.waitForExit() == 2)
        #expect(serve.stderr.contains("the roles are"))
    }

    static func canConnect(port: Int) throws -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }
}
