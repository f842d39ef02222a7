/// An RTSP request method (RFC 2326 10). Wi-Fi Display uses the seven below; any other
/// token is carried as is and answered 501 by the session machines.
public struct RTSPMethod: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let options = RTSPMethod("OPTIONS")
    public static let getParameter = RTSPMethod("GET_PARAMETER")
    public static let setParameter = RTSPMethod("SET_PARAMETER")
    public static let setup = RTSPMethod("SETUP")
    public static let play = RTSPMethod("PLAY")
    public static let pause = RTSPMethod("PAUSE")
    public static let teardown = RTSPMethod("TEARDOWN")

    public var description: String { rawValue }
}

/// The status codes Wi-Fi Display peers use (RFC 2326 7.1.1, WFD-NOTES 2).
public enum RTSPStatus {
    public static let ok = 200
    public static let badRequest = 400
    public static let forbidden = 403
    public static let notFound = 404
    public static let methodNotAllowed = 405
    public static let notAcceptable = 406
    public static let requestEntityTooLarge = 413
    public static let unsupportedMediaType = 415
    public static let sessionNotFound = 454
    public static let methodNotValidInThisState = 455
    public static let unsupportedTransport = 461
    public static let requestHeaderFieldsTooLarge = 494
    public static let notImplemented = 501
    public static let versionNotSupported = 505

    /// The reason phrase RFC 2326 7.1.1 gives a code.
    public static func reason(_ code: Int) -> String {
        switch code {
        case 200: return "OK"
        case 303: return "See Other"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 413: return "Request Entity Too Large"
        case 415: return "Unsupported Media Type"
        case 454: return "Session Not Found"
        case 455: return "Method Not Valid in This State"
        case 461: return "Unsupported Transport"
        case 494: return "Request Header Fields Too Large"
        case 501: return "Not Implemented"
        case 505: return "RTSP Version not supported"
        default: return "Status \(code)"
        }
    }
}
