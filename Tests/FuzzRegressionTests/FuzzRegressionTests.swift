import Foundation
import Testing
import WinteropFuzzTargets

/// Replays every saved fuzz input (`FuzzTesting/Regressions/<target>/*`) against its
/// decoder without the fuzzer: a crash the fuzzer once found stays fixed.
@Suite struct FuzzRegressionTests {
    static let regressionsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FuzzTesting/Regressions")

    static func inputs() -> [(target: String, file: URL)] {
        var result: [(String, URL)] = []
        let fm = FileManager.default
        for target in FuzzTarget.all {
            let folder = regressionsDirectory.appendingPathComponent(target.name)
            let files = (try? fm.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
            for file in files.sorted(by: { $0.path < $1.path }) where !file.lastPathComponent.hasPrefix(".") {
                result.append((target.name, file))
            }
        }
        return result
    }

    @Test func everyTargetHasARegressionFolder() {
        for target in FuzzTarget.all {
            let folder = Self.regressionsDirectory.appendingPathComponent(target.name)
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) && isDirectory.boolValue,
                    "FuzzTesting/Regressions/\(target.name) is missing")
        }
    }

    @Test func replayRegressionInputs() throws {
        let inputs = Self.inputs()
        #expect(!inputs.isEmpty, "no regression inputs found under \(Self.regressionsDirectory.path)")
        for (name, file) in inputs {
            let target = try #require(FuzzTarget.named(name))
            let data = try Data(contentsOf: file)
            target.run(Array(data))
        }
    }
}
