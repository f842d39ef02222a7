import NIOCore
import WinteropWire
import WinteropFormat

/// The WDSMC_OP_INITIATE request (2.2.1): the variables a client sends under the
/// Multicast Session Initiation Endpoint GUID.
public struct InitiateRequest: Sendable, Hashable {
    /// Namespace (WSTRING).
    public var namespace: String
    /// Content (WSTRING).
    public var content: String
    /// Client (WSTRING): the machine name, at most 15 characters plus the NUL.
    public var client: String
    /// Cap (ULONG), when sent.
    public var capabilities: ClientCapabilities?

    /// The longest machine name: 16 characters including the null character (2.2.1).
    public static let maximumClientLength = 15

    public init(namespace: String, content: String, client: String, capabilities: ClientCapabilities? = nil) {
        self.namespace = namespace
        self.content = content
        self.client = client
        self.capabilities = capabilities
    }

    static let reference = WDSMSI.reference("2.2.1")

    /// Reads the request's variables; the headers must name WDSMSI's endpoint and WDSMC_OP_INITIATE.
    public init(_ packet: WDSC.Packet) throws(WireError) {
        let reference = Self.reference
        guard packet.endpointGUID == WDSMSI.endpointGUID else {
            throw WDSC.reference("3.1.4.1").error("Endpoint GUID \(packet.endpointGUID) is not the Multicast Session Initiation endpoint \(WDSMSI.endpointGUID)")
        }
        guard packet.opCodeOrErrorCode == WDSMSI.opInitiate else {
            throw WDSC.reference("3.1.4.1").error("OpCode 0x\(String(packet.opCodeOrErrorCode, radix: 16)) is not offered under this endpoint (only WDSMC_OP_INITIATE, 0x6)")
        }
        namespace = try packet.requiredWString("Namespace", reference)
        content = try packet.requiredWString("Content", reference)
        client = try packet.requiredWString("Client", reference)
        guard client.utf16.count <= Self.maximumClientLength else {
            throw reference.error("Client \"\(client)\" is \(client.utf16.count) characters; at most \(Self.maximumClientLength) plus the null character are allowed")
        }
        switch packet.variable("Cap") {
        case nil: capabilities = nil
        case .ulong(let raw)?: capabilities = ClientCapabilities(rawValue: raw)
        case let other?: throw reference.error("Cap must be WDSCPL_VAR_ULONG but is \(other.type)")
        }
    }

    public func packet() -> WDSC.Packet {
        var variables = [
            WDSC.Variable("Namespace", .wstring(namespace)),
            WDSC.Variable("Content", .wstring(content)),
            WDSC.Variable("Client", .wstring(client)),
        ]
        if let capabilities {
            variables.append(WDSC.Variable("Cap", .ulong(capabilities.rawValue)))
        }
        return WDSC.Packet(endpointGUID: WDSMSI.endpointGUID, packetType: .request, opCodeOrErrorCode: WDSMSI.opInitiate, variables: variables)
    }

    public func encoded() throws(EncodingError) -> ByteBuffer {
        guard client.utf16.count <= Self.maximumClientLength else {
            throw EncodingError("the client's machine name is at most \(Self.maximumClientLength) characters")
        }
        return try packet().encoded()
    }
}

extension WDSC.Packet {
    func requiredWString(_ name: String, _ reference: SpecReference) throws(WireError) -> String {
        switch variable(name) {
        case .wstring(let text)?: return text
        case nil: throw reference.error("the packet must include \(name)")
        case let other?: throw reference.error("\(name) must be WDSCPL_VAR_WSTRING but is \(other.type)")
        }
    }

    func optionalULong(_ name: String, _ reference: SpecReference) throws(WireError) -> UInt32? {
        switch variable(name) {
        case .ulong(let v)?: return v
        case nil: return nil
        case let other?: throw reference.error("\(name) must be WDSCPL_VAR_ULONG but is \(other.type)")
        }
    }

    func optionalULong64(_ name: String, _ reference: SpecReference) throws(WireError) -> UInt64? {
        switch variable(name) {
        case .ulong64(let v)?: return v
        case nil: return nil
        case let other?: throw reference.error("\(name) must be WDSCPL_VAR_ULONG64 but is \(other.type)")
        }
    }

    func optionalBlob(_ name: String, _ reference: SpecReference) throws(WireError) -> [UInt8]? {
        switch variable(name) {
        case .blob(let v)?: return v
        case nil: return nil
        case let other?: throw reference.error("\(name) must be WDSCPL_VAR_BLOB but is \(other.type)")
        }
    }

    func required<T>(_ name: String, _ value: T?, _ reference: SpecReference) throws(WireError) -> T {
        guard let value else { throw reference.error("the reply must include \(name)") }
        return value
    }
}

extension InitiateRequest {
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("namespace", .string(namespace)), ("content", .string(content)), ("client", .string(client)),
        ]
        if let capabilities {
            fields.append(("cap", .integer(capabilities.rawValue)))
            fields.append(("capNames", .string(capabilities.description)))
        }
        return .object(fields)
    }
}
