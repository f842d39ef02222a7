import WinteropWire
import Foundation

/// How the listener names stored messages: `msg-NNNNNNNN`, numbered on from the highest
/// already in the output directory, so a restarted listener never reuses a name.
enum MessageNames {
    static let prefix = "msg-"
    /// Names tried for one message before the store fails.
    static let attempts = 1000

    static func name(_ number: Int) -> String {
        let digits = String(number)
        return prefix + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// One more than the highest message number in `directory` (1 when there is none).
    static func firstFree(in directory: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let highest = names.lazy
            .filter { $0.hasPrefix(prefix) }
            .compactMap { Int($0.dropFirst(prefix.count)) }
            .max() ?? 0
        return highest + 1
    }
}
