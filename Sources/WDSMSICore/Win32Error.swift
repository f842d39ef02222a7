/// A Win32 error code (MS-ERREF 2.2), as error packets (2.2.2.3) and the WDS Control
/// Protocol's OpCode-ErrorCode field (MS-WDSC 2.2.1.2) carry it.
public struct Win32Error: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: UInt32

    public init(_ code: UInt32) { self.code = code }

    public static let success = Win32Error(0x0000_0000)
    public static let fileNotFound = Win32Error(0x0000_0002)
    public static let accessDenied = Win32Error(0x0000_0005)
    public static let notEnoughMemory = Win32Error(0x0000_0008)
    public static let invalidData = Win32Error(0x0000_000D)
    public static let notSupported = Win32Error(0x0000_0032)
    public static let badNetPath = Win32Error(0x0000_0035)
    public static let invalidParameter = Win32Error(0x0000_0057)
    public static let bufferOverflow = Win32Error(0x0000_006F)
    public static let invalidName = Win32Error(0x0000_007B)
    public static let badPathName = Win32Error(0x0000_00A1)
    public static let notReady = Win32Error(0x0000_0015)
    public static let timeout = Win32Error(0x0000_05B4)
    public static let invalidFunction = Win32Error(0x0000_0001)
    public static let noSystemResources = Win32Error(0x0000_05AA)

    /// The symbolic names of the codes winterop sends or is likely to receive.
    static let names: [UInt32: String] = [
        0x0000: "ERROR_SUCCESS",
        0x0001: "ERROR_INVALID_FUNCTION",
        0x0002: "ERROR_FILE_NOT_FOUND",
        0x0003: "ERROR_PATH_NOT_FOUND",
        0x0005: "ERROR_ACCESS_DENIED",
        0x0008: "ERROR_NOT_ENOUGH_MEMORY",
        0x000D: "ERROR_INVALID_DATA",
        0x0015: "ERROR_NOT_READY",
        0x0032: "ERROR_NOT_SUPPORTED",
        0x0035: "ERROR_BAD_NETPATH",
        0x0057: "ERROR_INVALID_PARAMETER",
        0x006F: "ERROR_BUFFER_OVERFLOW",
        0x007B: "ERROR_INVALID_NAME",
        0x00A1: "ERROR_BAD_PATHNAME",
        0x05AA: "ERROR_NO_SYSTEM_RESOURCES",
        0x05B4: "ERROR_TIMEOUT",
    ]

    /// The code's symbolic name, e.g. `ERROR_FILE_NOT_FOUND`, when winterop knows it.
    public var name: String? { Win32Error.names[code] }

    /// `ERROR_FILE_NOT_FOUND (0x00000002)`, or the bare code when its name is unknown.
    public var description: String {
        let hexCode = "0x" + String(repeating: "0", count: 8 - String(code, radix: 16).count) + String(code, radix: 16, uppercase: true)
        return name.map { "\($0) (\(hexCode))" } ?? hexCode
    }
}
