import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Runs a role the same way from every command: its services in one `ServiceGroup`,
/// SIGINT and SIGTERM as graceful shutdown, `stopped` at the end, and every error as a
/// ``RoleFailure`` carrying the exit status (2 for configuration, 1 for the rest).
public enum RoleRunner {
    /// Runs long-lived services (listeners, advertisers) until SIGINT or SIGTERM.
    /// `name` prefixes error messages (the command or role that failed).
    public static func serve(_ services: [any Service], name: String, events: EventLog, logger: Logger) async throws(RoleFailure) {
        try await run(services.map { .init(service: $0) }, name: name, logger: logger)
        events.emit(ListenerEvent.stopped)
    }

    /// Runs a client role's `operation` to its end. SIGINT and SIGTERM start graceful
    /// shutdown, which the operation observes with `withGracefulShutdownHandler` (and
    /// ends as it sees fit: a goodbye to its peer, then return).
    public static func client<Result: Sendable>(
        name: String, logger: Logger, _ operation: @escaping @Sendable () async throws -> Result
    ) async throws(RoleFailure) -> Result {
        let service = ClientService(operation)
        try await run([.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)], name: name, logger: logger)
        switch service.result {
        case .success(let value)?: return value
        case .failure(let error)?: throw failure(error, name: name)
        case nil: throw RoleFailure.peer("\(name): stopped before it finished")
        }
    }

    /// One ServiceGroup with SIGINT and SIGTERM as graceful shutdown.
    private static func run(
        _ services: [ServiceGroupConfiguration.ServiceConfiguration], name: String, logger: Logger
    ) async throws(RoleFailure) {
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            throw failure(error, name: name)
        }
    }

    /// Maps an error onto the contract's exit status, unwrapping ServiceGroup's wrapper.
    public static func failure(_ error: any Error, name: String) -> RoleFailure {
        if let failure = error as? RoleFailure { return failure }
        // ServiceGroup rethrows a failing service's own error unchanged.
        if let bind = error as? ListenerBindError { return .usage(bind.description) }
        return .peer("\(name): \(error)")
    }
}

/// A client operation as a service, so it runs under the same signal handling.
private final class ClientService<Result: Sendable>: Service, Sendable {
    private let operation: @Sendable () async throws -> Result
    private let box = NIOLockedValueBox<Swift.Result<Result, any Error>?>(nil)

    init(_ operation: @escaping @Sendable () async throws -> Result) {
        self.operation = operation
    }

    var result: Swift.Result<Result, any Error>? { box.withLockedValue { $0 } }

    func run() async throws {
        do {
            let value = try await operation()
            box.withLockedValue { $0 = .success(value) }
        } catch {
            box.withLockedValue { $0 = .failure(error) }
        }
    }
}
