import ArgumentParser
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import WinteropTransport

/// `winterop serve`: every server role this build has, at once, with defaults.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run every server role at once with working defaults (data under ./winterop-data/).",
        discussion: "Stops cleanly on SIGINT or SIGTERM: each role closes its connections with its protocol's goodbye."
    )

    @OptionGroup var events: EventOptions

    @Option(name: .long, help: "Directory for persistent data (each role uses a subfolder).")
    var data: String = "./winterop-data"

    @Option(name: .long, help: ArgumentHelp(
        "Where one role listens instead of its default, as NAME=HOST:PORT (repeatable; port 0 picks a free port).",
        valueName: "name=host:port"))
    var listen: [String] = []

    @Flag(name: .long, inversion: .prefixedNo, help: "Announce the roles that advertise (the MS-MICE sink) over mDNS.")
    var advertise = true

    @Option(name: .long, help: ArgumentHelp("Make the MS-MICE sink discoverable over Wi-Fi Direct through wpa_supplicant's P2P control socket, as `mice sink --wpa-ctrl` does.", valueName: "path"))
    var wpaCtrl: String?

    /// Parses `--listen NAME=HOST:PORT` options; an unknown role name is a usage error.
    func listenOverrides(roles: [any ServeRole]) throws -> [String: HostPort] {
        var overrides: [String: HostPort] = [:]
        for item in listen {
            guard let equals = item.firstIndex(of: "=") else {
                throw RoleFailure.usage("serve: --listen takes NAME=HOST:PORT, e.g. mice-sink=0.0.0.0:7250")
            }
            let name = String(item[..<equals])
            guard roles.contains(where: { $0.name == name }) else {
                throw RoleFailure.usage("serve: --listen names '\(name)', but the roles are: \(roles.map(\.name).joined(separator: ", "))")
            }
            overrides[name] = try parseHostPort(String(item[item.index(after: equals)...]), defaultPort: nil, option: "--listen \(name)")
        }
        return overrides
    }

    func run() async throws {
        try await events.run { eventLog in
            let roles = ServeRoles.all
            guard !roles.isEmpty else {
                throw RoleFailure.usage("serve: no server role is available in this build of winterop yet")
            }
            do {
                try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            } catch {
                throw RoleFailure.usage("serve: cannot create the data directory '\(data)': \(error.localizedDescription)")
            }
            var logger = Logger(label: "winterop.serve")
            logger.logLevel = .info
            let context = ServeContext(
                dataDirectory: data, events: eventLog,
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger,
                listenOverrides: try listenOverrides(roles: roles), advertise: advertise, wpaControlPath: wpaCtrl
            )
            var services: [any Service] = []
            for role in roles {
                do {
                    services.append(try role.makeService(context))
                } catch let failure as RoleFailure {
                    throw RoleFailure.usage("serve: \(role.name) cannot start: \(failure.message)")
                } catch {
                    throw RoleFailure.usage("serve: \(role.name) cannot start: \(error)")
                }
            }
            try await RoleRunner.serve(services, name: "serve", events: eventLog, logger: logger)
        }
    }
}
