/// A role's ending that is not success: carries the command-line contract's exit status
/// and one sentence that says what happened and what to do. Configuration initialisers
/// in the role modules throw it; the CLI prints the message and exits with the status.
public struct RoleFailure: Error, CustomStringConvertible, Sendable {
    public var status: Int32
    public var message: String

    public init(status: Int32, message: String) {
        self.status = status
        self.message = message
    }

    /// A protocol or peer failure (exit status 1).
    public static func peer(_ message: String) -> RoleFailure { RoleFailure(status: 1, message: message) }
    /// Bad usage or configuration (exit status 2).
    public static func usage(_ message: String) -> RoleFailure { RoleFailure(status: 2, message: message) }

    public var description: String { message }
}
