/// Checks shared by every role's configuration initialiser, so each option is refused
/// with the same kind of sentence (exit status 2).
public enum OptionValidation {
    /// A span given in seconds: finite, positive (or zero when `allowZero`) and at most
    /// `maximum`, so that no later arithmetic on it can overflow a `Duration`.
    public static func seconds(
        _ value: Double, option: String, allowZero: Bool = false, maximum: Double = 86_400
    ) throws(RoleFailure) -> Duration {
        guard value.isFinite, allowZero ? value >= 0 : value > 0, value <= maximum else {
            throw .usage("\(option) must be a number of seconds \(allowZero ? "from 0" : "above 0") up to \(Int(maximum)), not \(value)")
        }
        return .nanoseconds(Int64((value * 1e9).rounded()))
    }

    /// `HOST[:PORT]`, with the protocol's port when none is given.
    public static func hostPort(_ text: String, defaultPort: Int?, option: String) throws(RoleFailure) -> HostPort {
        do {
            return try HostPort(parsing: text, defaultPort: defaultPort)
        } catch {
            throw .usage("\(option): \(error)")
        }
    }
}

import NIOCore

extension Duration {
    /// The same span as a NIO `TimeAmount` (for shells that schedule what a core decided).
    public var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
