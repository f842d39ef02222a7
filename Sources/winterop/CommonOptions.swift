import ArgumentParser
import Logging
import WinteropTransport

/// `--json`: shared by every command that serves or waits.
struct EventOptions: ParsableArguments {
    @Flag(name: .long, help: "Write one JSON object per line on standard output for each protocol event.")
    var json = false

    func makeEventLog() -> EventLog { EventLog(json: json) }

    /// Runs a role's command with its event log; with `--json` any failure, including
    /// one before the first connection, is also reported as a `failed` event.
    func run<Result>(_ body: (EventLog) async throws -> Result) async throws -> Result {
        let log = makeEventLog()
        do {
            return try await body(log)
        } catch {
            if json {
                let message = (error as? RoleFailure)?.message ?? "\(error)"
                log.emit(ListenerEvent.failed(message: message))
            }
            throw error
        }
    }
}

extension HostPort: ExpressibleByArgument {
    /// Parses `HOST:PORT` for an option; protocols wanting a default port use
    /// `HostPort(parsing:defaultPort:)` on a String option instead.
    public init?(argument: String) {
        guard let value = try? HostPort(parsing: argument, defaultPort: nil) else { return nil }
        self = value
    }
}

/// Parses `HOST[:PORT]` for an option, with the protocol's port as the default;
/// a malformed value is a usage error (exit status 2) that says what was wrong.
func parseHostPort(_ text: String, defaultPort: Int?, option: String) throws -> HostPort {
    do {
        return try HostPort(parsing: text, defaultPort: defaultPort)
    } catch {
        throw RoleFailure.usage("\(option): \(error)")
    }
}


extension Logger {
    /// The logger a role command runs with: warnings and worse, on standard error.
    static func role(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .warning
        return logger
    }
}
