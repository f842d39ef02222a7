import ArgumentParser
import Foundation
import WinteropTransport

/// The root command: `winterop <protocol> <role> [options]`.
struct Winterop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "winterop",
        abstract: "Microsoft Open Specifications protocols on Linux: MS-MICE, MS-GRVSSTP, MS-WDSMSI, MS-NFPS, MS-TCC.",
        discussion: """
            Every command that serves or waits accepts --json (one JSON object per line on \
            standard output for each protocol event). Listeners accept --listen HOST:PORT; \
            port 0 picks a free port, reported in the first "listening" event.
            Exit status: 0 success, 1 protocol or peer failure, 2 bad usage or configuration.
            """,
        version: Winterop.version,
        subcommands: [
            ServeCommand.self,
            DecodeCommand.self,
            MICECommand.self,
            SSTPCommand.self,
            WDSCommand.self,
            NFPSCommand.self,
            TCCCommand.self,
            MDNSCommand.self,
        ]
    )
}

extension Winterop {
    /// The version `winterop --version` prints.
    static let version = "0.3.0"
}

/// Entry point: runs the parsed command and maps failures onto the exit statuses of
/// the command-line contract (0 success, 1 protocol or peer failure, 2 usage).
@main
enum Main {
    static func main() async {
        AllocatorTuning.apply()
        do {
            var command = try Winterop.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(with: error)
        }
    }

    static func exit(with error: any Error) -> Never {
        if let failure = error as? RoleFailure {
            FileHandle.standardError.writeText("winterop: \(failure.message)\n")
            Foundation.exit(failure.status)
        }
        let code = Winterop.exitCode(for: error)
        let message = Winterop.fullMessage(for: error)
        if code == .success {
            if !message.isEmpty { print(message) }
            Foundation.exit(0)
        }
        if !message.isEmpty {
            FileHandle.standardError.writeText(message + "\n")
        }
        // ArgumentParser reports usage errors as EX_USAGE (64); the contract says 2.
        if code == .validationFailure || code.rawValue == 64 {
            Foundation.exit(2)
        }
        Foundation.exit(code.rawValue == 0 ? 1 : code.rawValue)
    }
}
