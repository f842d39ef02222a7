import WinteropWire

extension WDSC {
    /// A GUID in the packet layout of MS-DTYP 2.3.4.2: Data1 (4 bytes), Data2 and Data3
    /// (2 bytes each) little-endian, then Data4's 8 bytes as written.
    public struct GUID: Sendable, Hashable, CustomStringConvertible {
        /// The 16 bytes in packet order.
        public var bytes: [UInt8]

        public init?(bytes: [UInt8]) {
            guard bytes.count == 16 else { return nil }
            self.bytes = bytes
        }

        /// Parses `6f13a317-3687-4b54-81a5-504daa9062fa` (braces allowed).
        public init?(uuidString text: String) {
            let hexDigits = text.filter { $0 != "-" && $0 != "{" && $0 != "}" }
            guard hexDigits.count == 32, let raw = Hex.decode(hexDigits), raw.count == 16 else { return nil }
            // Text order is Data1..Data3 big-endian; the packet stores them little-endian.
            bytes = Array(raw[0..<4].reversed()) + Array(raw[4..<6].reversed()) + Array(raw[6..<8].reversed()) + Array(raw[8..<16])
        }

        public var description: String {
            let text = Array(bytes[0..<4].reversed()) + Array(bytes[4..<6].reversed()) + Array(bytes[6..<8].reversed()) + Array(bytes[8..<16])
            let h = Hex.encode(text)
            let c = Array(h)
            return [String(c[0..<8]), String(c[8..<12]), String(c[12..<16]), String(c[16..<20]), String(c[20..<32])].joined(separator: "-")
        }
    }
}
