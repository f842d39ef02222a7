import WinteropWire

extension WDSC {
    /// Base types (2.2.1.3.2.1).
    public enum BaseType: UInt16, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case byte = 0x0001
        case ushort = 0x0002
        case ulong = 0x0004
        case ulong64 = 0x0008
        case string = 0x0010
        case wstring = 0x0020
        case blob = 0x0040

        /// The size of a fixed-length type's value; nil for the variable-length ones.
        public var fixedSize: Int? {
            switch self {
            case .byte: return 1
            case .ushort: return 2
            case .ulong: return 4
            case .ulong64: return 8
            case .string, .wstring, .blob: return nil
            }
        }

        public var description: String {
            switch self {
            case .byte: return "WDSCPL_VAR_BYTE"
            case .ushort: return "WDSCPL_VAR_USHORT"
            case .ulong: return "WDSCPL_VAR_ULONG"
            case .ulong64: return "WDSCPL_VAR_ULONG64"
            case .string: return "WDSCPL_VAR_STRING"
            case .wstring: return "WDSCPL_VAR_WSTRING"
            case .blob: return "WDSCPL_VAR_BLOB"
            }
        }
    }

    /// Variable-Type (2.2.1.3.2): Base Type in bits 0–15, Type Modifier in bits 16–31 of the
    /// drawing; as a little-endian ULONG, the base type is the low half of the value.
    public struct VariableType: Sendable, Hashable, CustomStringConvertible {
        public var base: BaseType
        /// Whether the WDSCPL_VAR_ARRAY modifier (0x1000) is set.
        public var isArray: Bool

        /// WDSCPL_VAR_ARRAY (2.2.1.3.2.2).
        public static let arrayModifier: UInt16 = 0x1000

        public init(_ base: BaseType, isArray: Bool = false) {
            self.base = base
            self.isArray = isArray
        }

        public var rawValue: UInt32 {
            UInt32(base.rawValue) | UInt32(isArray ? Self.arrayModifier : 0) << 16
        }

        init(rawValue: UInt32, _ reference: SpecReference) throws(WireError) {
            let baseValue = UInt16(truncatingIfNeeded: rawValue)
            let modifier = UInt16(truncatingIfNeeded: rawValue >> 16)
            guard let base = BaseType(rawValue: baseValue) else {
                throw reference.section("2.2.1.3.2.1").error("Variable-Type base 0x\(String(baseValue, radix: 16)) is not a base type")
            }
            guard modifier == 0 || modifier == Self.arrayModifier else {
                throw reference.section("2.2.1.3.2.2").error("Variable-Type modifier 0x\(String(modifier, radix: 16)) is neither 0 nor WDSCPL_VAR_ARRAY")
            }
            self.init(base, isArray: modifier == Self.arrayModifier)
        }

        public var description: String {
            isArray ? "\(base) | WDSCPL_VAR_ARRAY" : base.description
        }
    }
}
