import NIOCore
import WinteropWire
import WinteropFormat

/// BringUpFailureResponse (2.2.3.4): tethering could not be started, and why
/// (the Failure Description of 3.2.1).
public struct BringUpFailureResponse: TCCMessageBody {
    public static let messageId = MessageId.bringUpFailureResponse
    public static let section = "2.2.3.4"
    public static let structures: Set<TypeId> = [.statusCode, .errorString]

    /// Never Success (2.2.3.4: "MUST NOT be set to 0").
    public let statusCode: StatusCodeEnum
    /// Nil when there is no text: an empty ErrorString SHOULD NOT be sent (2.2.3.4).
    public let errorString: String?

    /// Nil when `statusCode` is Success. An empty `errorString` is dropped.
    public init?(statusCode: StatusCodeEnum, errorString: String? = nil) {
        guard statusCode != .success else { return nil }
        self.statusCode = statusCode
        self.errorString = errorString?.isEmpty == false ? errorString : nil
    }

    private init(nonSuccess statusCode: StatusCodeEnum, errorString: String?) {
        self.statusCode = statusCode
        self.errorString = errorString?.isEmpty == false ? errorString : nil
    }

    /// UnspecifiedError (1): "the server is unable to provide a specific status code".
    public static func unspecifiedError(_ text: String?) -> BringUpFailureResponse {
        BringUpFailureResponse(nonSuccess: .unspecifiedError, errorString: text)
    }

    /// TimestampOutOfSync (9, revision 10.0).
    public static func timestampOutOfSync(_ text: String?) -> BringUpFailureResponse {
        BringUpFailureResponse(nonSuccess: .timestampOutOfSync, errorString: text)
    }

    /// SecurityFailure (10, revision 10.0).
    public static func securityFailure(_ text: String?) -> BringUpFailureResponse {
        BringUpFailureResponse(nonSuccess: .securityFailure, errorString: text)
    }

    public init(structures: StructureList) throws(WireError) {
        let value = try StructureValue.fixed(try structures.required(.statusCode), .statusCode, count: 1)
        statusCode = StatusCodeEnum(rawValue: value[0])
        guard statusCode != .success else {
            throw TCC.section(Self.section).error("statusCode MUST NOT be Success (0) in a BringUpFailureResponse")
        }
        let text = try structures.optional(.errorString).map { (v) throws(WireError) in try StructureValue.text(v, .errorString) }
        errorString = text?.isEmpty == false ? text : nil
    }

    public func writeStructures(into buffer: inout ByteBuffer) throws(EncodingError) {
        try buffer.writeStructure(.statusCode, [statusCode.rawValue])
        if let errorString { try buffer.writeStructure(.errorString, Array(errorString.utf8)) }
    }

    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("message", .string(Self.messageId.name)),
            ("statusCode", .integer(statusCode.rawValue)),
        ]
        if let name = statusCode.name { fields.append(("status", .string(name))) }
        if let errorString { fields.append(("errorString", .string(errorString))) }
        return .object(fields)
    }
}
