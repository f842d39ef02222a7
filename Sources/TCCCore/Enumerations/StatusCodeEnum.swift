/// The StatusCodeEnum enumeration (2.2.1.2): the outcome of a bring-up attempt.
/// A struct rather than an enum so a value a later revision adds still decodes
/// and can be shown by number.
public struct StatusCodeEnum: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let success = StatusCodeEnum(rawValue: 0)
    public static let unspecifiedError = StatusCodeEnum(rawValue: 1)
    public static let operationCancel = StatusCodeEnum(rawValue: 2)
    public static let entitlementCheckFail = StatusCodeEnum(rawValue: 3)
    public static let noCellularSignal = StatusCodeEnum(rawValue: 4)
    public static let cellularDataTurnedOff = StatusCodeEnum(rawValue: 5)
    public static let cannotConnectToCellularNetwork = StatusCodeEnum(rawValue: 6)
    public static let connectToCellularNetworkTimedOut = StatusCodeEnum(rawValue: 7)
    public static let roamingNotAllowed = StatusCodeEnum(rawValue: 8)
    /// Revision 10.0 only (product note <3>); the row of 2.2.1.2 is garbled, the value is 9.
    public static let timestampOutOfSync = StatusCodeEnum(rawValue: 9)
    /// Revision 10.0 only (product note <3>).
    public static let securityFailure = StatusCodeEnum(rawValue: 10)

    static let names: [String] = [
        "Success", "UnspecifiedError", "OperationCancel", "EntitlementCheckFail", "NoCellularSignal",
        "CellularDataTurnedOff", "CannotConnectToCellularNetwork", "ConnectToCellularNetworkTimedOut",
        "RoamingNotAllowed", "TimestampOutOfSync", "SecurityFailure",
    ]

    /// Every value 2.2.1.2 defines.
    public static let defined: [StatusCodeEnum] = (0..<UInt8(names.count)).map(StatusCodeEnum.init(rawValue:))

    /// The spec's name, or nil for a value this revision does not define.
    public var name: String? {
        Int(rawValue) < Self.names.count ? Self.names[Int(rawValue)] : nil
    }

    /// The status by its spec name (case-insensitive) or number.
    public init?(name: String) {
        if let number = UInt8(name) {
            self.init(rawValue: number)
            return
        }
        guard let index = Self.names.firstIndex(where: { $0.lowercased() == name.lowercased() }) else { return nil }
        self.init(rawValue: UInt8(index))
    }

    public var description: String { name.map { "\($0) (\(rawValue))" } ?? "status \(rawValue)" }
}
