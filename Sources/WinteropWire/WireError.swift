/// The one error type for malformed input from the network.
///
/// Every decoder in winterop throws this when bytes break a rule of a specification.
/// It names the specification and section whose rule was broken, and says what was
/// wrong in words a person can act on (which field, what was expected, what came).
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The specification whose rule was broken, e.g. `"MS-MICE"`.
    public var spec: String
    /// The section of that specification, e.g. `"2.2.1"`.
    public var section: String
    /// What was wrong, e.g. `"Size is 12 but 9 bytes follow"`.
    public var message: String

    public init(spec: String, section: String, _ message: String) {
        self.spec = spec
        self.section = section
        self.message = message
    }

    public var description: String {
        "\(spec) \(section): \(message)"
    }
}

/// Where a decoder currently is in a specification: used to label the errors it throws.
public struct SpecReference: Hashable, Sendable, CustomStringConvertible {
    public var spec: String
    public var section: String

    public init(_ spec: String, _ section: String) {
        self.spec = spec
        self.section = section
    }

    /// An error located at this reference.
    public func error(_ message: String) -> WireError {
        WireError(spec: spec, section: section, message)
    }

    /// The same specification, another section.
    public func section(_ section: String) -> SpecReference {
        SpecReference(spec, section)
    }

    public var description: String { "\(spec) \(section)" }
}
