extension SSTP {
    /// Chooses SessionIds (3.1.4.3.1). The device that initiated the connection uses
    /// 0x00000000–0x7FFFFFFF, the one that accepted it 0x80000000–0xFFFFFFFF (the ranges
    /// of 3.1.4.3.1 are right; its sentence about the Inbound/Outbound variable is not:
    /// DESIGN, reading notes).
    public struct SessionIdAllocator: Sendable, Hashable {
        /// The range of this side.
        public let range: ClosedRange<UInt32>
        private var next: UInt32

        public init(initiatedConnection: Bool) {
            range = initiatedConnection ? 0x0000_0000...0x7FFF_FFFF : 0x8000_0000...0xFFFF_FFFF
            next = range.lowerBound
        }

        /// Whether `id` is one this side would choose.
        public func owns(_ id: UInt32) -> Bool { range.contains(id) }

        /// The next identifier not in use, wrapping within the range.
        public mutating func allocate(inUse: (UInt32) -> Bool) -> UInt32? {
            for _ in 0..<1_000_000 {
                let candidate = next
                next = candidate == range.upperBound ? range.lowerBound : candidate + 1
                if !inUse(candidate) { return candidate }
            }
            return nil
        }
    }
}
