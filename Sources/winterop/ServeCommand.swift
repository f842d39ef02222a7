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

    func run() async throws {
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
        let eventLog = events.makeEventLog()
        let context = ServeContext(
            dataDirectory: data, events: eventLog,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger
        )
        var services: [any Service] = []
        for role in roles {
            do {
                services.append(try role.makeService(context))
            } catch {
                throw RoleFailure.usage("serve: \(role.name) cannot start: \(error)")
            }
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        do {
            try await group.run()
        } catch {
            throw RoleFailure.peer("serve: \(error)")
        }
        eventLog.emit("stopped", [], text: "stopped")
    }
}
